import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import {
  PermanentError,
  createTopology,
  readDeadLetter,
  type BusMessage,
  type BusSettings,
  type DeadLetter,
  type EventBus,
  type Topology,
} from '@orderflow/platform';
import { eventually } from './eventually.js';

/** Settings small enough to watch retries happen within a test. */
export const CONTRACT_SETTINGS: BusSettings = {
  kind: 'memory',
  namespace: undefined,
  replicas: 1,
  maxAgeMs: 3_600_000,
  duplicateWindowMs: 120_000,
  maxDeliver: 3,
  backoffMs: [200, 400],
  ackWaitMs: 1_000,
};

/** A topology with the SPEC streams and consumers made for the contract. */
export function contractTopology(namespace: string | undefined): Topology {
  return createTopology({ ...CONTRACT_SETTINGS, namespace }, [
    { durable: 'contract-high', stream: 'ORDERS', filterSubject: 'order.created.high' },
    { durable: 'contract-completed', stream: 'ORDERS', filterSubject: 'order.completed' },
    { durable: 'contract-dlq', stream: 'DLQ', filterSubject: 'dlq.>' },
  ]);
}

/** Makes a fresh bus (own streams and consumers) per test; `close` releases it. */
export type BusFactory = () => Promise<{ bus: EventBus; close: () => Promise<void> }>;

const SUBJECT = 'order.created.high';

interface Seen {
  readonly text: string;
  readonly deliveryCount: number;
  readonly atMs: number;
  readonly message: BusMessage;
}

/**
 * The behaviour every EventBus implementation must have (SPEC §4): publish with de-dup
 * id, durable pull consume, ack, `nak` with delay, redelivery, `term`, and the move to
 * `DLQ` on the last delivery.
 */
export function busContract(t: Test, makeBus: BusFactory): void {
  async function withBus(t: Test): Promise<EventBus> {
    const { bus, close } = await makeBus();
    t.teardown(close);
    return bus;
  }

  function collect(bus: EventBus, durable: string, behaviour?: (m: BusMessage, signal: AbortSignal) => Promise<void>) {
    const seen: Seen[] = [];
    const consumption = bus.consume(
      durable,
      async (message, signal) => {
        seen.push({ text: message.text(), deliveryCount: message.deliveryCount, atMs: Date.now(), message });
        await behaviour?.(message, signal);
      },
      { concurrency: 2 },
    );
    return { seen, consumption };
  }

  function deadLetters(t: Test, bus: EventBus): DeadLetter[] {
    const letters: DeadLetter[] = [];
    const consumption = bus.consume('contract-dlq', async (message) => {
      letters.push(readDeadLetter(message));
    });
    t.teardown(() => consumption.stop(0));
    return letters;
  }

  t.test('a published message is delivered with its data and headers, then acked', async (t) => {
    const bus = await withBus(t);
    const result = await bus.publish(SUBJECT, '{"n":1}', { msgId: 'm-1', headers: { 'x-test': 'yes' } });
    t.match(result, { stream: 'ORDERS', duplicate: false });
    const { seen, consumption } = collect(bus, 'contract-high');
    t.teardown(() => consumption.stop(0));

    await eventually('the delivery', () => seen.length === 1);
    const first = seen[0]!;
    t.equal(first.text, '{"n":1}');
    t.same(first.message.json(), { n: 1 });
    t.equal(first.message.subject, SUBJECT);
    t.equal(first.message.msgId, 'm-1');
    t.equal(first.message.headers['x-test'], 'yes');
    t.equal(first.deliveryCount, 1);
    await eventually('the ack to clear the backlog', async () => {
      const backlog = await bus.backlog('contract-high');
      return backlog.pending === 0 && backlog.ackPending === 0;
    });
    t.equal(seen.length, 1, 'delivered once');
  });

  t.test('a repeated msgId inside the duplicate window is stored once', async (t) => {
    const bus = await withBus(t);
    const first = await bus.publish(SUBJECT, 'a', { msgId: 'same' });
    const second = await bus.publish(SUBJECT, 'a', { msgId: 'same' });
    t.equal(second.duplicate, true);
    t.equal(second.seq, first.seq);
    t.same(await bus.backlog('contract-high'), { pending: 1, ackPending: 0 });
  });

  t.test('a consumer receives only its filter subject', async (t) => {
    const bus = await withBus(t);
    await bus.publish('order.completed', 'done');
    await bus.publish(SUBJECT, 'new');
    const high = collect(bus, 'contract-high');
    const completed = collect(bus, 'contract-completed');
    t.teardown(() => Promise.all([high.consumption.stop(0), completed.consumption.stop(0)]));
    await eventually('both deliveries', () => high.seen.length === 1 && completed.seen.length === 1);
    t.equal(high.seen[0]?.text, 'new');
    t.equal(completed.seen[0]?.text, 'done');
  });

  t.test('a durable consumer resumes after a stop with what it has not acked', async (t) => {
    const bus = await withBus(t);
    await bus.publish(SUBJECT, 'before');
    const first = collect(bus, 'contract-high');
    await eventually('the first message', () => first.seen.length === 1);
    await first.consumption.stop();
    await bus.publish(SUBJECT, 'while-stopped');

    const second = collect(bus, 'contract-high');
    t.teardown(() => second.consumption.stop(0));
    await eventually('the message published while stopped', () => second.seen.length === 1);
    t.equal(second.seen[0]?.text, 'while-stopped');
    t.equal(second.seen[0]?.deliveryCount, 1);
  });

  t.test('a failed message is redelivered after its backoff delay with a higher count', async (t) => {
    const bus = await withBus(t);
    await bus.publish(SUBJECT, 'flaky');
    const { seen, consumption } = collect(bus, 'contract-high', async (message) => {
      if (message.deliveryCount === 1) throw new Error('transient');
    });
    t.teardown(() => consumption.stop(0));
    await eventually('the redelivery', () => seen.length === 2);
    t.same(
      seen.map((s) => s.deliveryCount),
      [1, 2],
    );
    const gapMs = seen[1]!.atMs - seen[0]!.atMs;
    t.ok(gapMs >= CONTRACT_SETTINGS.backoffMs[0]! * 0.9, `redelivered after the nak delay (${gapMs} ms)`);
    await eventually('the ack', async () => (await bus.backlog('contract-high')).ackPending === 0);
  });

  t.test('a permanent error dead-letters at once with the original subject and headers', async (t) => {
    const bus = await withBus(t);
    const letters = deadLetters(t, bus);
    await bus.publish(SUBJECT, 'poison', { msgId: 'poison-1', headers: { traceparent: 'tp' } });
    const { seen, consumption } = collect(bus, 'contract-high', async () => {
      throw new PermanentError('schema-invalid');
    });
    t.teardown(() => consumption.stop(0));
    await eventually('the dead letter', () => letters.length === 1);
    const letter = letters[0]!;
    t.equal(letter.originalSubject, SUBJECT);
    t.equal(letter.deliveryCount, 1);
    t.equal(letter.consumer, 'contract-high');
    t.match(letter.reason, /schema-invalid/);
    t.equal(new TextDecoder().decode(letter.data), 'poison');
    t.equal(letter.headers['Nats-Msg-Id'], 'poison-1');
    t.equal(letter.headers.traceparent, 'tp');
    t.equal(seen.length, 1, 'not retried');
  });

  t.test('undecodable JSON is a permanent failure', async (t) => {
    const bus = await withBus(t);
    const letters = deadLetters(t, bus);
    await bus.publish(SUBJECT, '{not json');
    const { consumption } = collect(bus, 'contract-high', async (message) => {
      message.json();
    });
    t.teardown(() => consumption.stop(0));
    await eventually('the dead letter', () => letters.length === 1);
    t.match(letters[0]!.reason, /not valid JSON/);
  });

  t.test('a message failing on every delivery lands in DLQ after the last one', async (t) => {
    const bus = await withBus(t);
    const letters = deadLetters(t, bus);
    await bus.publish(SUBJECT, 'always-fails', { msgId: 'af-1' });
    const { seen, consumption } = collect(bus, 'contract-high', async () => {
      throw new Error('still broken');
    });
    t.teardown(() => consumption.stop(0));
    await eventually('the dead letter', () => letters.length === 1);
    t.same(
      seen.map((s) => s.deliveryCount),
      [1, 2, 3],
      'tried max_deliver times',
    );
    t.equal(letters[0]!.deliveryCount, 3);
    t.equal(letters[0]!.originalSubject, SUBJECT);
    t.match(letters[0]!.reason, /attempt 3 of 3: still broken/);
    await eventually('the term to clear the backlog', async () => {
      const backlog = await bus.backlog('contract-high');
      return backlog.pending === 0 && backlog.ackPending === 0;
    });
  });

  t.test('a handler that reports progress is not redelivered past the ack wait', async (t) => {
    const bus = await withBus(t);
    await bus.publish(SUBJECT, 'slow');
    let finished = false;
    const { seen, consumption } = collect(bus, 'contract-high', async (message) => {
      for (let elapsedMs = 0; elapsedMs < CONTRACT_SETTINGS.ackWaitMs * 2.5; elapsedMs += 200) {
        message.working();
        await sleep(200);
      }
      finished = true;
    });
    t.teardown(() => consumption.stop(0));
    await eventually('the slow handler', () => finished);
    await eventually('the ack', async () => (await bus.backlog('contract-high')).ackPending === 0);
    t.equal(seen.length, 1, 'no redelivery while working');
  });

  t.test('with more messages waiting than handler slots, slow handlers cause no redelivery', async (t) => {
    const bus = await withBus(t);
    for (let n = 1; n <= 6; n++) await bus.publish(SUBJECT, `queued-${n}`);
    // `collect` handles two at a time; each takes longer than the ack wait, reporting
    // progress, so the rest wait their turn past the ack wait too.
    const { seen, consumption } = collect(bus, 'contract-high', async (message) => {
      for (let elapsedMs = 0; elapsedMs < CONTRACT_SETTINGS.ackWaitMs * 1.5; elapsedMs += 200) {
        message.working();
        await sleep(200);
      }
    });
    t.teardown(() => consumption.stop(0));
    await eventually('all six handled', () => seen.length >= 6, 30_000);
    await eventually('all acked', async () => {
      const backlog = await bus.backlog('contract-high');
      return backlog.pending === 0 && backlog.ackPending === 0;
    });
    t.same(
      seen.map((s) => [s.text, s.deliveryCount]),
      [1, 2, 3, 4, 5, 6].map((n) => [`queued-${n}`, 1]),
      'each delivered once',
    );
  });

  t.test('stop waits for the in-flight handler, which then acks', async (t) => {
    const bus = await withBus(t);
    await bus.publish(SUBJECT, 'in-flight');
    let finished = false;
    const first = collect(bus, 'contract-high', async () => {
      await sleep(300);
      finished = true;
    });
    await eventually('the delivery', () => first.seen.length === 1);
    await first.consumption.stop(5_000);
    t.ok(finished, 'the handler finished before stop resolved');
    t.same(await bus.backlog('contract-high'), { pending: 0, ackPending: 0 });
  });

  t.test('a handler still running after the grace period is aborted and redelivered', async (t) => {
    const bus = await withBus(t);
    await bus.publish(SUBJECT, 'stuck');
    const first = collect(
      bus,
      'contract-high',
      (_message, signal) =>
        new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted', { cause: signal.reason }))),
        ),
    );
    await eventually('the delivery', () => first.seen.length === 1);
    await first.consumption.stop(100);

    const second = collect(bus, 'contract-high');
    t.teardown(() => second.consumption.stop(0));
    await eventually('the redelivery', () => second.seen.length === 1);
    t.equal(second.seen[0]?.text, 'stuck', 'the message is delivered again, not lost');
  });

  /** A watch that records what it sees; resolves once delivery has started. */
  async function watching(t: Test, bus: EventBus, pattern: string) {
    const seen: { subject: string; text: string; headers: Readonly<Record<string, string>> }[] = [];
    let resets = 0;
    const watch = bus.watch(pattern, {
      message: (m) => seen.push({ subject: m.subject, text: m.text(), headers: m.headers }),
      reset: () => resets++,
    });
    t.teardown(() => watch.close());
    await eventually('the watch to start', () => resets > 0);
    return { seen, watch, resets: () => resets };
  }

  t.test('a watch sees messages published after it started, on matching subjects, in order', async (t) => {
    const bus = await withBus(t);
    await bus.publish('order.completed', 'before');
    const live = await watching(t, bus, 'order.>');
    await bus.publish('order.completed', 'one', { msgId: 'w-1', headers: { 'x-test': 'yes' } });
    await bus.publish('payment.event.o-1', 'not an order subject');
    await bus.publish(SUBJECT, 'two');
    await bus.publish('order.completed', 'one again', { msgId: 'w-1' });
    await bus.publish('order.failed', 'three');

    await eventually('three live messages', () => live.seen.length >= 3);
    t.same(
      live.seen.map((m) => [m.subject, m.text]),
      [
        ['order.completed', 'one'],
        [SUBJECT, 'two'],
        ['order.failed', 'three'],
      ],
      'nothing from before, nothing outside the pattern, no duplicate',
    );
    t.equal(live.seen[0]?.headers['x-test'], 'yes');
    t.equal(live.resets(), 1, 'one reset, when delivery started');
  });

  t.test('many watches each see every message; a closed one sees no more', async (t) => {
    const bus = await withBus(t);
    const first = await watching(t, bus, 'order.completed');
    const second = await watching(t, bus, 'order.*');
    await bus.publish('order.completed', 'a');
    await eventually('both saw it', () => first.seen.length === 1 && second.seen.length === 1);
    await first.watch.close();
    await bus.publish('order.completed', 'b');
    await eventually('the open one saw it', () => second.seen.length === 2);
    t.equal(first.seen.length, 1);
  });
}
