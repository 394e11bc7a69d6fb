import t from 'tap';
import { freePort } from '@orderflow/testkit';
import { createDlqFixture, startDlqServer } from './support/dlq-fixture.js';
import { runCli } from './support/run-cli.js';

const server = await startDlqServer(t);

t.test('the main entry lists dead letters end to end', async (t) => {
  const f = await createDlqFixture(t, server);
  const [seq] = await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{}' });

  const result = await runCli(['dlq', 'list'], { NATS_URL: server.servers.natsUrl, NATS_NAMESPACE: f.namespace });

  const lines = result.stdout.trimEnd().split('\n');
  t.equal(result.code, 0, result.stderr);
  t.equal(lines.length, 2, 'a header and one row');
  t.match(
    lines[1],
    new RegExp(`^${seq}\\s+\\S+\\s+order\\.created\\.high\\s+test-high\\s+1\\s+cannot be handled: bad$`),
  );
});

t.test('the main entry replays and then shows the dead letter gone', async (t) => {
  const f = await createDlqFixture(t, server);
  const [seq] = await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{}' });
  const env = { NATS_URL: server.servers.natsUrl, NATS_NAMESPACE: f.namespace };

  const replay = await runCli(['dlq', 'replay', String(seq)], env);
  const show = await runCli(['dlq', 'show', String(seq)], env);

  t.equal(replay.code, 0, replay.stderr);
  t.match(replay.stdout, new RegExp(`^replayed ${seq} -> order\\.created\\.high`));
  t.equal(show.code, 1);
  t.match(show.stderr, new RegExp(`No dead letter ${seq}`));
});

t.test('the main entry refuses to purge without --yes when stdin is not a terminal', async (t) => {
  const f = await createDlqFixture(t, server);
  await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{}' });

  const result = await runCli(['dlq', 'purge'], { NATS_URL: server.servers.natsUrl, NATS_NAMESPACE: f.namespace });

  t.equal(result.code, 2);
  t.match(result.stderr, /Delete 1 dead letter\? Standard input is not a terminal: pass --yes to go ahead/);
  t.equal(result.stdout, '');
  t.equal(await f.dlqCount(), 1, 'nothing was deleted');
});

t.test('the main entry exits 2 with the usage on a bad command or flag', async (t) => {
  const env = { NATS_URL: server.servers.natsUrl };
  const badCommand = await runCli(['dlq', 'explode'], env);
  const badFlag = await runCli(['dlq', 'list', '--verbose'], env);

  for (const result of [badCommand, badFlag]) {
    t.equal(result.code, 2);
    t.equal(result.stdout, '');
    t.match(result.stderr, /Usage: orderflow dlq <command>/);
  }
  t.match(badCommand.stderr, /^orderflow: unknown dlq command "explode"/);
  t.match(badFlag.stderr, /^orderflow: Unknown option '--verbose'/);
});

t.test('the main entry prints the usage on --help and exits 0', async (t) => {
  const result = await runCli(['--help'], {});

  t.equal(result.code, 0);
  t.match(result.stdout, /^Usage: orderflow dlq <command> \[options\]/);
  t.match(result.stdout, /replay --all \[--subject <subject>\] \[--yes\]/);
});

t.test('the main entry names the missing stream when the namespace has none', async (t) => {
  const result = await runCli(['dlq', 'list'], { NATS_URL: server.servers.natsUrl, NATS_NAMESPACE: 'nothing_here' });

  t.equal(result.code, 1);
  t.match(result.stderr, /there is no stream nothing_here_DLQ at nats:\/\/127\.0\.0\.1:\d+/);
});

t.test('the main entry rejects an invalid environment with exit code 78', async (t) => {
  const result = await runCli(['dlq', 'list'], { NATS_URL: 'http://example.invalid', NATS_NAMESPACE: 'Bad Name' });

  t.equal(result.code, 78);
  t.match(result.stderr, /NATS_URL: expected a URL starting with nats:\/\//);
  t.match(result.stderr, /NATS_NAMESPACE: expected lower-case letters/);
});

t.test('the main entry reports an unreachable server without its credentials and exits 1', async (t) => {
  const port = await freePort();

  const result = await runCli(['dlq', 'list'], { NATS_URL: `nats://ops:s3cret@127.0.0.1:${port}` });

  t.equal(result.code, 1);
  t.match(result.stderr, new RegExp(`^orderflow: cannot connect to NATS at nats://127\\.0\\.0\\.1:${port}: `));
  t.notMatch(result.stderr, /s3cret/);
});
