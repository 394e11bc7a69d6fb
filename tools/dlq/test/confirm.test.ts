import { PassThrough } from 'node:stream';
import t from 'tap';
import { createTerminalConfirm } from '../src/confirm.js';
import { UsageError } from '../src/errors.js';

function terminal(answer: string) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  const written: string[] = [];
  output.on('data', (chunk: Buffer) => written.push(chunk.toString()));
  input.end(`${answer}\n`);
  return { confirm: createTerminalConfirm(input, output), written };
}

t.test('on a terminal, y or yes confirms and shows the question with [y/N]', async (t) => {
  for (const answer of ['y', 'Y', 'yes', ' YES ']) {
    const { confirm, written } = terminal(answer);
    t.equal(await confirm('Delete 2 dead letters?'), true, answer);
    t.same(written.join(''), 'Delete 2 dead letters? [y/N] ');
  }
});

t.test('on a terminal, anything else declines', async (t) => {
  for (const answer of ['', 'n', 'no', 'yep']) {
    t.equal(await terminal(answer).confirm('Delete 2 dead letters?'), false, JSON.stringify(answer));
  }
});

t.test('without a terminal the question fails with a usage error naming --yes', async (t) => {
  const confirm = createTerminalConfirm(new PassThrough(), new PassThrough());

  await t.rejects(confirm('Delete 2 dead letters?'), UsageError);
  await t.rejects(confirm('Delete 2 dead letters?'), { message: /pass --yes/, showUsage: false });
});
