import t from 'tap';
import { PermanentError, type DeadLetter } from '@orderflow/platform';
import { runConsumerLoop, UNSETTLED_DELIVERY_FACTOR, type Delivery } from '../src/bus/consumer-loop.js';

const MAX_DELIVER = 3;

/** What became of one delivery. */
type Settled = 'ack' | `nak ${number}` | 'term';

/** A delivery as the server would hand it: `seq` in the stream, `count`-th time delivered. */
function delivery(seq: number, count: number, settled: Map<string, Settled>): Delivery {
  const key = `${seq}#${count}`;
  return {
    subject: 'order.created.high',
    data: new TextEncoder().encode(JSON.stringify({ seq })),
    headers: {},
    msgId: `m-${seq}`,
    deliveryCount: count,
    streamSequence: seq,
    consumer: 'unit',
    text: () => JSON.stringify({ seq }),
    json: () => ({ seq }),
    working: () => undefined,
    ack: async () => void settled.set(key, 'ack'),
    nak: (delayMs) => void settled.set(key, `nak ${delayMs}`),
    term: () => void settled.set(key, 'term'),
  };
}

/** Runs the loop over `deliveries` in order (one at a time) with `handler`; returns settles and dead letters. */
async function run(
  deliveries: readonly (readonly [seq: number, count: number])[],
  handler: (seq: number, count: number) => Promise<void>,
) {
  const settled = new Map<string, Settled>();
  const letters: DeadLetter[] = [];
  let delivered = 0;
  const consumption = runConsumerLoop({
    durable: 'unit',
    source: {
      async *deliveries(_max, signal) {
        for (const [seq, count] of deliveries) {
          if (signal.aborted) return;
          delivered++;
          yield delivery(seq, count, settled);
        }
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      },
    },
    handler: async (message) => handler(message.streamSequence, message.deliveryCount),
    maxDeliver: MAX_DELIVER,
    backoffMs: [100, 200],
    concurrency: 1,
    deadLetter: async (letter) => void letters.push(letter),
    onOutcome: undefined,
    log: undefined,
  });
  while (settled.size < deliveries.length) await new Promise((resolve) => setTimeout(resolve, 5));
  await consumption.stop(0);
  t.equal(delivered, deliveries.length, 'every delivery was taken');
  return { settled: Object.fromEntries(settled), letters };
}

t.test(
  'deliveries lost to crashes are not attempts: a message delivered past maxDeliver is still handled',
  async (t) => {
    const handled: number[] = [];
    const { settled, letters } = await run([[1, MAX_DELIVER + 3]], async (_seq, count) => void handled.push(count));
    t.same(handled, [MAX_DELIVER + 3], 'the handler ran');
    t.same(settled, { [`1#${MAX_DELIVER + 3}`]: 'ack' });
    t.same(letters, [], 'nothing dead-lettered');
  },
);

t.test('after crashes, a failing message still gets maxDeliver attempts with the backoff of each', async (t) => {
  // Delivered 5 times already without a settle, then failing on every try.
  const tries: [number, number][] = [
    [7, 6],
    [7, 7],
    [7, 8],
  ];
  const { settled, letters } = await run(tries, async () => {
    throw new Error('still broken');
  });
  t.same(settled, { '7#6': 'nak 100', '7#7': 'nak 200', '7#8': 'term' }, 'two retries, then the dead letter');
  t.equal(letters.length, 1);
  t.match(letters[0], { deliveryCount: 8, streamSequence: 7, reason: /failed on attempt 3 of 3: still broken/ });
});

t.test('failures are counted per message', async (t) => {
  const fail = new Set(['1#1', '2#1', '1#2']);
  const { settled, letters } = await run(
    [
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
      [1, 3],
    ],
    async (seq, count) => {
      if (fail.has(`${seq}#${count}`)) throw new Error('transient');
    },
  );
  t.same(settled, { '1#1': 'nak 100', '2#1': 'nak 100', '1#2': 'nak 200', '2#2': 'ack', '1#3': 'ack' });
  t.same(letters, []);
});

t.test('a message that never gets settled is dead-lettered past the unsettled ceiling, unhandled', async (t) => {
  const ceiling = MAX_DELIVER * UNSETTLED_DELIVERY_FACTOR;
  let handled = 0;
  const { settled, letters } = await run(
    [
      [3, ceiling],
      [4, ceiling + 1],
    ],
    async () => void handled++,
  );
  t.equal(handled, 1, 'the one at the ceiling was handled, the one past it not');
  t.same(settled, { [`3#${ceiling}`]: 'ack', [`4#${ceiling + 1}`]: 'term' });
  t.match(letters, [{ streamSequence: 4, reason: /delivered \d+ times without being settled/ }]);
});

t.test('a permanent error dead-letters on its first attempt whatever the delivery count', async (t) => {
  const { settled, letters } = await run([[5, 2]], async () => {
    throw new PermanentError('not an envelope');
  });
  t.same(settled, { '5#2': 'term' });
  t.match(letters, [{ reason: /cannot be handled: not an envelope/ }]);
});
