import t from 'tap';
import {
  decideCancel,
  decideExpire,
  decideSettle,
  decideValidation,
  foldOrder,
  IllegalTransitionError,
  parseEventId,
  eventId,
  envelopeOf,
  subjectOf,
  decidePayment,
  laneOf,
  type Order,
} from '@orderflow/core';
import { after, history, newOrder, orderWith, PROCESSING, providerEvent, T0 } from './fixtures.js';

const valid = { failures: [], handling: 'standard' as const, risk_score: 0.1 };

function settled(order: Order, type: 'payment.captured' | 'payment.declined'): Order {
  let current = order;
  for (const event of [
    providerEvent('payment.created', 0),
    providerEvent('payment.authorized', 1),
    providerEvent(type, 2),
  ]) {
    const decision = decidePayment(current, event, Date.parse(current.updated_at) + 1_000, 2_000);
    if (decision.outcome === 'append') current = after(current, decision.event);
  }
  return current;
}

t.test('a valid pending order moves to processing with its handling and score', async (t) => {
  const decision = decideValidation(orderWith(), valid);
  t.match(decision, { outcome: 'append', event: { type: 'order.processing', data: { handling: 'standard' } } });
});

t.test('an invalid pending order is rejected with every failure', async (t) => {
  const failures = [
    { rule: 'total_max' as const, message: 'too much' },
    { rule: 'risk' as const, message: 'risky' },
  ];
  const decision = decideValidation(orderWith(), { ...valid, failures });
  t.match(decision, { outcome: 'append', event: { type: 'order.rejected', data: { reasons: failures } } });
  const rejected = after(orderWith(), decision.outcome === 'append' ? decision.event : (undefined as never));
  t.equal(rejected.status, 'rejected');
  t.equal(rejected.status_reason, 'too much; risky');
});

t.test('validation of an order that moved on is a no-op (redelivery)', async (t) => {
  t.match(decideValidation(after(orderWith(), PROCESSING), valid), { outcome: 'noop' });
  const cancelled = after(orderWith(), { type: 'order.cancelled', data: { reason: 'r', by: 'u' } });
  t.match(decideValidation(cancelled, valid), { outcome: 'noop', reason: 'order is cancelled' });
});

t.test('pending and processing orders can be cancelled; terminal ones are refused', async (t) => {
  const request = { reason: 'changed my mind', by: 'u1' };
  t.match(decideCancel(orderWith(), request), { outcome: 'append', event: { type: 'order.cancelled' } });
  t.match(decideCancel(after(orderWith(), PROCESSING), request), { outcome: 'append' });
  const cancelled = after(orderWith(), { type: 'order.cancelled', data: request });
  t.match(decideCancel(cancelled, request), { outcome: 'refuse', code: 'terminal', reason: /already cancelled/ });
});

t.test('an order idle for the TTL expires; a fresher one does not', async (t) => {
  const order = orderWith();
  const updatedMs = Date.parse(order.updated_at);
  t.match(decideExpire(order, updatedMs + 599_999, 600_000), { outcome: 'noop' });
  t.match(decideExpire(order, updatedMs + 600_000, 600_000), { outcome: 'append', event: { type: 'order.expired' } });
  t.match(
    decideExpire(after(order, PROCESSING), updatedMs + 600_500, 600_000),
    { outcome: 'noop' },
    'progress resets the clock',
  );
});

t.test('terminal orders never expire', async (t) => {
  const cancelled = after(orderWith(), { type: 'order.cancelled', data: { reason: 'r', by: 'u' } });
  t.match(decideExpire(cancelled, T0 + 10 * 600_000, 600_000), { outcome: 'noop' });
});

t.test('a captured payment settles to completed once settle_at has passed', async (t) => {
  const order = settled(after(orderWith(), PROCESSING), 'payment.captured');
  const settleMs = Date.parse(order.settle_at!);
  t.match(decideSettle(order, settleMs - 1), { outcome: 'noop' });
  const decision = decideSettle(order, settleMs);
  t.match(decision, { outcome: 'append', event: { type: 'order.completed' } });
  const completed = after(order, decision.outcome === 'append' ? decision.event : (undefined as never));
  t.equal(completed.status, 'completed');
  t.equal(completed.settle_at, null);
});

t.test('a declined payment settles to failed', async (t) => {
  const order = settled(after(orderWith(), PROCESSING), 'payment.declined');
  t.match(decideSettle(order, Date.parse(order.settle_at!)), { outcome: 'append', event: { type: 'order.failed' } });
});

t.test('nothing settles without a final payment or outside processing', async (t) => {
  t.match(decideSettle(after(orderWith(), PROCESSING), T0 + 10_000_000), {
    outcome: 'noop',
    reason: 'payment is none',
  });
  t.match(decideSettle(orderWith(), T0 + 10_000_000), { outcome: 'noop', reason: 'order is pending' });
});

t.test('the fold replays history into the snapshot with every change in order', async (t) => {
  const events = history(newOrder(), PROCESSING, { type: 'order.cancelled', data: { reason: 'stop', by: 'u' } });
  const order = foldOrder(events)!;
  t.equal(order.status, 'cancelled');
  t.equal(order.version, 3);
  t.equal(order.created_at, events[0]!.at);
  t.equal(order.updated_at, events[2]!.at);
  t.same(
    order.history.map((h) => [h.seq, h.type, h.status]),
    [
      [1, 'order.created', 'pending'],
      [2, 'order.processing', 'processing'],
      [3, 'order.cancelled', 'cancelled'],
    ],
  );
});

t.test('the fold refuses an illegal transition or a gap in seq', async (t) => {
  const illegal = history(newOrder(), { type: 'order.completed', data: { reason: 'x' } });
  t.throws(() => foldOrder(illegal), IllegalTransitionError);
  const gap = history(newOrder(), PROCESSING).map((e) => (e.seq === 2 ? { ...e, seq: 3 } : e));
  t.throws(() => foldOrder(gap), /follows version 1/);
  t.equal(foldOrder([]), undefined);
});

t.test('event ids are "<order_id>:<seq>" and parse back', async (t) => {
  t.equal(eventId('ord-1', 7), 'ord-1:7');
  t.same(parseEventId('ord-1:7'), { orderId: 'ord-1', seq: 7 });
  t.equal(parseEventId('nope'), undefined);
  t.equal(parseEventId('x:0'), undefined);
});

t.test('new orders go to their lane subject, other events to their type', async (t) => {
  t.equal(subjectOf('order.created', 'high'), 'order.created.high');
  t.equal(subjectOf('order.completed', 'high'), 'order.completed');
});

t.test('the envelope carries id, type, version 1, time, order id, source and data', async (t) => {
  const [created] = history(newOrder());
  t.same(envelopeOf(created!, 'api'), {
    id: 'ord-1:1',
    type: 'order.created',
    version: 1,
    time: created!.at,
    order_id: 'ord-1',
    source: 'api',
    data: created!.data,
  });
});

t.test('an event other than creation cannot start an order', async (t) => {
  const [, processing] = history(newOrder(), PROCESSING);
  t.throws(() => foldOrder([{ ...processing!, seq: 1 }]), { message: 'illegal transition (none) → processing' });
});

t.test('priority picks the lane: 1 high, 2 normal, 3 low', async (t) => {
  t.same([laneOf(1), laneOf(2), laneOf(3)], ['high', 'normal', 'low']);
});

t.test('a history that does not start with seq 1, or starts with a payment, is refused', async (t) => {
  const [created, processing] = history(newOrder(), PROCESSING);
  t.throws(() => foldOrder([{ ...created!, seq: 2 }]), /follows version 0/);
  const payment = {
    ...processing!,
    seq: 1,
    type: 'order.payment' as const,
    data: {
      event: providerEvent('payment.created', 0),
      applied: true,
      reason: '',
      payment_state: 'created' as const,
      settle_at: null,
    },
  };
  t.throws(() => foldOrder([payment]), IllegalTransitionError);
});

t.test('failed and expired end an order with their reason and no settle time', async (t) => {
  const failed = after(after(orderWith(), PROCESSING), { type: 'order.failed', data: { reason: 'payment declined' } });
  t.match(failed, { status: 'failed', status_reason: 'payment declined', settle_at: null });
  const expired = after(orderWith(), { type: 'order.expired', data: { reason: 'no progress for 600000 ms' } });
  t.match(expired, { status: 'expired', status_reason: /no progress/ });
});
