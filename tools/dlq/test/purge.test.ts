import { PassThrough } from 'node:stream';
import t from 'tap';
import { purgeCommand } from '../src/commands/purge.js';
import { createTerminalConfirm } from '../src/confirm.js';
import { UsageError } from '../src/errors.js';
import { answering } from './support/captured.js';
import { createDlqFixture, startDlqServer, type DlqFixture } from './support/dlq-fixture.js';

const server = await startDlqServer(t);

async function threeDeadLetters(f: DlqFixture): Promise<void> {
  await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{}' });
  await f.deadLetter({ subject: 'order.created.low', durable: 'test-low', data: '{}' });
  await f.deadLetter({ subject: 'payment.event.o-1', durable: 'test-payments', data: '{}' });
}

t.test('purge without --yes on a non-TTY refuses and deletes nothing', async (t) => {
  const f = await createDlqFixture(t, server);
  await threeDeadLetters(f);
  const notATerminal = createTerminalConfirm(new PassThrough(), new PassThrough());

  const purging = purgeCommand(f.deps(notATerminal), { yes: false });

  await t.rejects(purging, UsageError);
  await t.rejects(purging, { message: /Delete 3 dead letters\? .*not a terminal: pass --yes/ });
  t.equal(await f.dlqCount(), 3);
});

t.test('purge --yes deletes every dead letter without asking', async (t) => {
  const f = await createDlqFixture(t, server);
  await threeDeadLetters(f);
  const confirm = answering(false);

  const code = await purgeCommand(f.deps(confirm), { yes: true });

  t.equal(code, 0);
  t.same(f.out.lines, ['Deleted 3 dead letters.']);
  t.same(confirm.asked, []);
  t.equal(await f.dlqCount(), 0);
});

t.test('purge --subject deletes only the dead letters of matching subjects', async (t) => {
  const f = await createDlqFixture(t, server);
  await threeDeadLetters(f);

  await purgeCommand(f.deps(), { subject: 'order.>', yes: true });

  t.same(f.out.lines, ['Deleted 2 dead letters for order.>.']);
  t.equal(await f.dlqCount(), 1);
});

t.test('purge on a terminal asks, and deletes only after a yes', async (t) => {
  const f = await createDlqFixture(t, server);
  await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{}' });
  const no = answering(false);
  const yes = answering(true);

  const declined = await purgeCommand(f.deps(no), { yes: false });
  const countAfterNo = await f.dlqCount();
  const accepted = await purgeCommand(f.deps(yes), { yes: false });

  t.equal(declined, 1);
  t.same(no.asked, ['Delete 1 dead letter?']);
  t.equal(countAfterNo, 1, 'a no deletes nothing');
  t.equal(accepted, 0);
  t.equal(await f.dlqCount(), 0, 'a yes deletes');
});

t.test('purge with nothing to delete says so without asking', async (t) => {
  const f = await createDlqFixture(t, server);
  const confirm = answering(false);

  const code = await purgeCommand(f.deps(confirm), { yes: false });

  t.equal(code, 0);
  t.same(f.out.lines, ['No dead letters to delete.']);
  t.same(confirm.asked, []);
});
