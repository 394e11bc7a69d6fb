import t from 'tap';
import type { Test } from 'tap';
import type { JetStreamManager } from '@nats-io/jetstream';
import { PermanentError, type BusMessage } from '@orderflow/platform';
import { replayCommand } from '../src/commands/replay.js';
import { answering } from './support/captured.js';
import { createDlqFixture, startDlqServer, type DlqFixture } from './support/dlq-fixture.js';
import { eventually } from './support/eventually.js';

const server = await startDlqServer(t);

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

async function ordersCount(f: DlqFixture): Promise<number> {
  return (await server.jsm.streams.info(f.topology.streamName('ORDERS'))).state.messages;
}

/** Runs a consumer that records what it receives and acks it. */
function receive(t: Test, f: DlqFixture, durable: 'test-high' | 'test-low'): BusMessage[] {
  const received: BusMessage[] = [];
  const consumption = f.bus.consume(durable, async (message) => void received.push(message));
  t.teardown(() => consumption.stop(0));
  return received;
}

t.test(
  'replay puts a dead letter back on its original subject once, even when run twice, and removes it from DLQ',
  async (t) => {
    const f = await createDlqFixture(t, server);
    const body = JSON.stringify({ id: 'evt-1', order_id: 'o-1' });
    const [seq] = await f.deadLetter({
      subject: 'order.created.high',
      durable: 'test-high',
      data: body,
      options: { msgId: 'evt-1', headers: { traceparent: TRACEPARENT, 'content-type': 'application/json' } },
    });

    const first = await replayCommand(f.deps(), { kind: 'seqs', seqs: [seq!] });
    const second = await replayCommand(f.deps(), { kind: 'seqs', seqs: [seq!] });
    const received = receive(t, f, 'test-high');
    await eventually('the replayed message to be received and acked', async () => {
      const backlog = await f.bus.backlog('test-high');
      return received.length > 0 && backlog.pending === 0 && backlog.ackPending === 0;
    });

    t.equal(first, 0, 'the first replay succeeds');
    t.match(
      f.out.lines[0],
      new RegExp(`^replayed ${seq} -> order\\.created\\.high \\(${f.namespace}_ORDERS seq 2\\)$`),
    );
    t.equal(second, 1, 'the second replay finds nothing to do');
    t.match(f.out.notes.join('\n'), new RegExp(`${seq}: not in DLQ`));
    t.equal(received.length, 1, 'the consumer received it once');
    t.equal(await ordersCount(f), 2, 'the stream holds the original and one replay');
    const [message] = received;
    t.equal(message!.text(), body);
    t.equal(message!.msgId, `replay:${seq}`);
    t.match(message!.headers, {
      'Orderflow-Replayed-Msg-Id': 'evt-1',
      traceparent: TRACEPARENT,
      'content-type': 'application/json',
    });
    t.same(
      Object.keys(message!.headers).filter((key) => key.startsWith('Orderflow-Dlq-')),
      [],
      'no dead-letter headers',
    );
    t.equal(await f.dlqCount(), 0, 'DLQ is empty');
  },
);

t.test('a replay interrupted between publish and delete publishes nothing new when run again', async (t) => {
  const f = await createDlqFixture(t, server);
  const [seq] = await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{}' });
  const crashingDelete = new Proxy(server.jsm.streams, {
    get(target, key) {
      if (key === 'deleteMessage') return () => Promise.reject(new Error('connection lost'));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const interrupted = Object.assign(Object.create(server.jsm) as JetStreamManager, { streams: crashingDelete });

  const first = await replayCommand({ ...f.deps(), jsm: interrupted }, { kind: 'seqs', seqs: [seq!] });
  const afterFirst = { orders: await ordersCount(f), dlq: await f.dlqCount() };
  const second = await replayCommand(f.deps(), { kind: 'seqs', seqs: [seq!] });

  t.equal(first, 1);
  t.match(f.out.notes.join('\n'), /failed: connection lost/);
  t.same(afterFirst, { orders: 2, dlq: 1 }, 'published, but still in DLQ');
  t.equal(second, 0);
  t.match(f.out.lines.at(-1), /published by an earlier interrupted replay/);
  t.equal(await ordersCount(f), 2, 'the second run was absorbed as a duplicate');
  t.equal(await f.dlqCount(), 0, 'and removed the dead letter');
});

t.test('replay --all --subject replays only the matching dead letters', async (t) => {
  const f = await createDlqFixture(t, server);
  await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{"n":1}' });
  await f.deadLetter({ subject: 'order.created.low', durable: 'test-low', data: '{"n":2}' });
  const [payment] = await f.deadLetter({ subject: 'payment.event.o-1', durable: 'test-payments', data: '{}' });

  const code = await replayCommand(f.deps(), { kind: 'all', subject: 'order.created.*', yes: true });

  t.equal(code, 0);
  t.equal(f.out.lines.length, 2);
  t.match(f.out.lines[0], /-> order\.created\.high/);
  t.match(f.out.lines[1], /-> order\.created\.low/);
  t.equal(await ordersCount(f), 4, 'two originals and two replays');
  t.equal(await f.dlqCount(), 1);
  t.not(await server.jsm.streams.getMessage(f.dlqStream, { seq: payment! }), null, 'the payment dead letter stays');
});

t.test('replay --all asks first and replays nothing when the answer is no', async (t) => {
  const f = await createDlqFixture(t, server);
  await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: '{}' });
  const confirm = answering(false);

  const code = await replayCommand(f.deps(confirm), { kind: 'all', yes: false });

  t.equal(code, 1);
  t.same(confirm.asked, ['Replay 1 dead letter?']);
  t.equal(await f.dlqCount(), 1);
  t.equal(await ordersCount(f), 1);
});

t.test('replay --all replays only what DLQ held when it started, even when the messages fail again', async (t) => {
  const f = await createDlqFixture(t, server);
  const first = await f.deadLetter(
    { subject: 'order.created.high', durable: 'test-high', data: '{"n":1}', options: { msgId: 'evt-1' } },
    { subject: 'order.created.high', durable: 'test-high', data: '{"n":2}', options: { msgId: 'evt-2' } },
  );
  const failing = f.bus.consume('test-high', async () => {
    throw new PermanentError('still bad');
  });
  t.teardown(() => failing.stop(0));

  const firstRun = await replayCommand(f.deps(), { kind: 'all', yes: true });
  const firstLines = f.out.lines.splice(0);
  await eventually('the replayed messages to fail again', async () => (await f.dlqCount()) === 2);
  const secondRun = await replayCommand(f.deps(), { kind: 'all', yes: true });
  const secondLines = f.out.lines.splice(0);
  await eventually('the second replays to fail again', async () => (await f.dlqCount()) === 2);
  const { state } = await server.jsm.streams.info(f.dlqStream);
  const latest = await server.jsm.streams.getMessage(f.dlqStream, { seq: state.last_seq });

  t.equal(firstRun, 0);
  t.same(
    firstLines.map((line) => line.split(' ')[1]),
    first.map(String),
    'the first run replayed the two it found and not their new failures',
  );
  t.equal(secondRun, 0);
  t.equal(secondLines.length, 2, 'the second run replayed the two new failures');
  t.match(latest!.header.get('Orderflow-Replayed-Msg-Id'), /^evt-[12]$/, 'the first id survives repeated replays');
});

t.test('replay --all on an empty DLQ says so and succeeds without asking', async (t) => {
  const f = await createDlqFixture(t, server);
  const confirm = answering(false);

  const code = await replayCommand(f.deps(confirm), { kind: 'all', yes: false });

  t.equal(code, 0);
  t.same(f.out.lines, ['No dead letters to replay.']);
  t.same(confirm.asked, []);
});
