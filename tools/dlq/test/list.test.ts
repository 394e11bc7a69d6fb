import t from 'tap';
import { listCommand } from '../src/commands/list.js';
import { createDlqFixture, startDlqServer } from './support/dlq-fixture.js';

const server = await startDlqServer(t);

/** The `--json` lines a command wrote, parsed. */
const entries = (lines: readonly string[]) => lines.map((line) => JSON.parse(line) as { seq: number; subject: string });

const order = (id: string) => JSON.stringify({ id, type: 'order.created', order_id: id });

t.test('list shows each dead letter with its sequence, subject, consumer, deliveries and reason', async (t) => {
  const f = await createDlqFixture(t, server);
  const [seq] = await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: order('o-1') });

  const code = await listCommand(f.deps(), { limit: 100, json: false });

  t.equal(code, 0);
  t.equal(f.out.lines.length, 2, 'a header and one row');
  t.match(f.out.lines[0], /^SEQ\s+FAILED AT\s+SUBJECT\s+CONSUMER\s+DELIVERIES\s+REASON$/);
  t.match(
    f.out.lines[1],
    new RegExp(`^${seq}\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+order\\.created\\.high\\s+test-high\\s+1\\s+`),
  );
  t.match(f.out.lines[1], /cannot be handled: bad$/);
});

t.test('list --subject shows only dead letters whose original subject matches', async (t) => {
  const f = await createDlqFixture(t, server);
  await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: order('o-1') });
  await f.deadLetter({ subject: 'order.created.low', durable: 'test-low', data: order('o-2') });
  await f.deadLetter({ subject: 'payment.event.o-1', durable: 'test-payments', data: '{}' });

  await listCommand(f.deps(), { subject: 'order.created.*', limit: 100, json: true });
  const wildcard = entries(f.out.lines).map((entry) => entry.subject);
  f.out.lines.length = 0;
  await listCommand(f.deps(), { subject: 'payment.event.o-1', limit: 100, json: true });
  const exact = entries(f.out.lines).map((entry) => entry.subject);

  t.same(wildcard, ['order.created.high', 'order.created.low']);
  t.same(exact, ['payment.event.o-1']);
});

t.test('list --json prints one JSON object per dead letter with the full reason and original id', async (t) => {
  const f = await createDlqFixture(t, server);
  const [seq] = await f.deadLetter({
    subject: 'order.created.high',
    durable: 'test-high',
    data: order('o-1'),
    options: { msgId: 'evt-1' },
  });

  await listCommand(f.deps(), { limit: 100, json: true });

  t.equal(f.out.lines.length, 1);
  t.match(JSON.parse(f.out.lines[0]!), {
    seq,
    subject: 'order.created.high',
    consumer: 'test-high',
    deliveries: 1,
    reason: 'cannot be handled: bad',
    msg_id: 'evt-1',
    failed_at: /^\d{4}-/,
  });
});

t.test('list --limit shows the oldest ones and says how many there are in all', async (t) => {
  const f = await createDlqFixture(t, server);
  const seqs = await f.deadLetter(
    ...['o-1', 'o-2', 'o-3'].map((id) => ({
      subject: 'order.created.high',
      durable: 'test-high' as const,
      data: order(id),
    })),
  );

  await listCommand(f.deps(), { limit: 2, json: true });

  t.same(
    entries(f.out.lines).map((entry) => entry.seq),
    seqs.slice(0, 2),
  );
  t.match(f.out.notes.join('\n'), /Showing 2 of 3 dead letters/);
});

t.test('list on an empty DLQ says there are no dead letters', async (t) => {
  const f = await createDlqFixture(t, server);

  const code = await listCommand(f.deps(), { limit: 100, json: false });

  t.equal(code, 0);
  t.same(f.out.lines, ['No dead letters.']);
});

t.test('list reads on past the first fetch when DLQ holds more than one batch', async (t) => {
  const f = await createDlqFixture(t, server);
  const ids = Array.from({ length: 300 }, (_, i) => `o-${i}`);
  const seqs = await f.deadLetter(
    ...ids.map((id) => ({ subject: 'order.created.high', durable: 'test-high' as const, data: order(id) })),
  );

  await listCommand(f.deps(), { limit: 1_000, json: true });

  t.same(
    entries(f.out.lines).map((entry) => entry.seq),
    seqs,
  );
  t.same(f.out.notes, []);
});
