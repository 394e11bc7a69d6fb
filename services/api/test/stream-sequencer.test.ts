import fc from 'fast-check';
import t from 'tap';
import type { OrderEvent } from '@orderflow/core';
import { StreamSequencer } from '../src/domain/stream-sequencer.js';

const TYPES = [
  'order.created',
  'order.processing',
  'order.payment',
  'order.payment',
  'order.completed',
  'order.payment',
] as const;

/** The history of a paid order; seq 6 is recorded after the terminal event. */
const HISTORY: OrderEvent[] = TYPES.map(
  (type, index) =>
    ({
      order_id: 'o-1',
      seq: index + 1,
      type,
      at: new Date(1_700_000_000_000 + index).toISOString(),
      data: {},
    }) as OrderEvent,
);
const ev = (seq: number) => HISTORY[seq - 1]!;
const seqs = (offered: { send: readonly { event: OrderEvent }[] }) => offered.send.map((s) => s.event.seq);

t.test('the history is sent in seq order with the status after each event, then the stream ends', async (t) => {
  const sequencer = new StreamSequencer();
  const offered = sequencer.offer(HISTORY);
  t.same(seqs(offered), [1, 2, 3, 4, 5]);
  t.same(
    offered.send.map((s) => s.status),
    ['pending', 'processing', 'processing', 'processing', 'completed'],
  );
  t.equal(offered.ended, true, 'ended at the terminal event');
  t.equal(offered.gap, false);
  t.same(seqs(sequencer.offer([ev(6)])), [], 'nothing after the terminal event');
});

t.test('a client resuming after Last-Event-ID gets only what follows, with the right status', async (t) => {
  const sequencer = new StreamSequencer(3);
  const offered = sequencer.offer(HISTORY.slice(0, 4));
  t.same(seqs(offered), [4]);
  t.equal(offered.send[0]?.status, 'processing');
  t.equal(offered.ended, false);
});

t.test('a live event past a hole waits for the hole to be filled and asks for a re-read', async (t) => {
  const sequencer = new StreamSequencer();
  t.same(seqs(sequencer.offer([ev(1), ev(2)])), [1, 2]);
  const early = sequencer.offer([ev(4)]);
  t.same(seqs(early), [], 'not sent before seq 3');
  t.equal(early.gap, true);
  t.equal(sequencer.nextSeq, 3, 're-read from seq 3');
  const filled = sequencer.offer([ev(3), ev(4)]);
  t.same(seqs(filled), [3, 4]);
  t.equal(filled.gap, false);
});

t.test('a client that already has the terminal event is ended at once', async (t) => {
  const sequencer = new StreamSequencer(5);
  const offered = sequencer.offer(HISTORY);
  t.same(seqs(offered), []);
  t.equal(offered.ended, true);
  t.equal(sequencer.status, 'completed');
});

t.test('whatever order and repeats events arrive in, each is sent once, in seq order, with no hole', async (t) => {
  const arrival = fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 30 });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 6 }), arrival, arrival, (lastSeen, first, second) => {
      const sequencer = new StreamSequencer(lastSeen);
      const sent: number[] = [];
      for (const batch of [first.map(ev), second.map(ev), HISTORY]) sent.push(...seqs(sequencer.offer(batch)));
      const expected = [1, 2, 3, 4, 5].filter((seq) => seq > lastSeen);
      return JSON.stringify(sent) === JSON.stringify(expected) && sequencer.ended;
    }),
  );
  t.pass('holds for every arrival order');
});
