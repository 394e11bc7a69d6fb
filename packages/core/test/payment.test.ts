import t from 'tap';
import { decidePayment, sequencePayment, type Order, type ProviderEvent } from '@orderflow/core';
import { after, orderWith, PROCESSING, providerEvent, T0 } from './fixtures.js';

const created = providerEvent('payment.created', 0);
const authorized = providerEvent('payment.authorized', 10);
const captured = providerEvent('payment.captured', 20);
const declined = providerEvent('payment.declined', 20);

/** Every ordering of a list (with repeated elements kept as given). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Feeds provider events to an order one by one through the decision, as the processor does. */
function deliver(events: readonly ProviderEvent[]): { order: Order; appended: number } {
  let order = after(orderWith(), PROCESSING);
  let appended = 0;
  let nowMs = T0 + 60_000;
  for (const event of events) {
    const decision = decidePayment(order, event, (nowMs += 100), 2_000);
    if (decision.outcome === 'append') {
      order = after(order, decision.event, nowMs);
      appended++;
    }
  }
  return { order, appended };
}

t.test('the valid path advances the payment to captured', async (t) => {
  const sequence = sequencePayment([created, authorized, captured]);
  t.equal(sequence.state, 'captured');
  t.same([...sequence.applied], [created.event_id, authorized.event_id, captured.event_id]);
});

t.test('every arrival order of a successful payment ends captured, each event recorded once', async (t) => {
  for (const arrival of permutations([created, authorized, captured])) {
    const { order, appended } = deliver(arrival);
    const name = arrival.map((e) => e.type).join(' ');
    t.equal(order.payment.state, 'captured', name);
    t.equal(appended, 3, `${name}: three records`);
    t.ok(
      order.payment.events.every((e) => e.applied),
      `${name}: all applied in the end`,
    );
    t.ok(order.settle_at, `${name}: settle time set`);
  }
});

t.test('every arrival order with a duplicated event ends the same and ignores the repeat', async (t) => {
  for (const duplicate of [created, authorized, captured]) {
    for (const arrival of permutations([created, authorized, captured, duplicate])) {
      const { order, appended } = deliver(arrival);
      t.equal(order.payment.state, 'captured');
      t.equal(appended, 3, 'the repeat appends nothing');
      t.equal(order.payment.events.length, 3);
    }
  }
});

t.test('every arrival order of a declined payment ends declined', async (t) => {
  for (const arrival of permutations([created, authorized, declined])) {
    t.equal(deliver(arrival).order.payment.state, 'declined', arrival.map((e) => e.type).join(' '));
  }
});

t.test('a decline straight after created is a valid path', async (t) => {
  t.equal(sequencePayment([providerEvent('payment.declined', 5), created]).state, 'declined');
});

t.test('events missing their predecessor are kept but not applied', async (t) => {
  const { order } = deliver([captured, authorized]);
  t.equal(order.payment.state, 'none');
  t.same(
    order.payment.events.map((e) => e.applied),
    [false, false],
  );
  t.equal(order.settle_at, null);
  t.match(order.history.at(-1)?.details, { applied: false, reason: /out of sequence/ });
});

t.test('an event after a final one is stored but does not change the outcome', async (t) => {
  const lateDecline = providerEvent('payment.declined', 30);
  const { order } = deliver([created, authorized, captured, lateDecline]);
  t.equal(order.payment.state, 'captured');
  t.equal(order.payment.events.find((e) => e.event_id === lateDecline.event_id)?.applied, false);
});

t.test('a decline stamped before the capture wins when it arrives later', async (t) => {
  const earlyDecline = providerEvent('payment.declined', 15);
  const { order } = deliver([created, authorized, captured, earlyDecline]);
  t.equal(order.payment.state, 'declined');
});

t.test('a later event before settlement moves settle_at', async (t) => {
  const first = deliver([created, authorized, captured]).order;
  const lateDecline = providerEvent('payment.declined', 30);
  const decision = decidePayment(first, lateDecline, Date.parse(first.settle_at!) - 500, 2_000);
  t.equal(decision.outcome, 'append');
  const moved = after(first, decision.outcome === 'append' ? decision.event : (undefined as never));
  t.ok(Date.parse(moved.settle_at!) > Date.parse(first.settle_at!));
});

t.test('events stamped in the same millisecond follow the path order', async (t) => {
  const same = (type: ProviderEvent['type']) => providerEvent(type, 0, `${type}-same`);
  const sequence = sequencePayment([same('payment.captured'), same('payment.created'), same('payment.authorized')]);
  t.equal(sequence.state, 'captured');
});

t.test('a provider event for a terminal order is recorded and changes nothing', async (t) => {
  const cancelled = after(orderWith(), { type: 'order.cancelled', data: { reason: 'r', by: 'u' } });
  const decision = decidePayment(cancelled, created, T0 + 99_000, 2_000);
  t.match(decision, { outcome: 'append', event: { data: { applied: false, reason: /already cancelled/ } } });
  const recorded = after(cancelled, decision.outcome === 'append' ? decision.event : (undefined as never));
  t.equal(recorded.status, 'cancelled');
  t.equal(recorded.payment.state, 'none');
  t.equal(recorded.history.at(-1)?.type, 'order.payment');
  t.equal(decidePayment(recorded, created, T0 + 99_500, 2_000).outcome, 'noop', 'and only once');
});

t.test('events of the same type and time are ordered by event id', async (t) => {
  const a = providerEvent('payment.created', 0, 'a');
  const b = providerEvent('payment.created', 0, 'b');
  t.same(
    sequencePayment([b, a]).events.map((e) => e.event_id),
    ['a', 'b'],
  );
  t.same(
    sequencePayment([a, b]).events.map((e) => e.event_id),
    ['a', 'b'],
  );
  t.equal(sequencePayment([a, b]).applied.has('b'), false, 'the second created is off the path');
});
