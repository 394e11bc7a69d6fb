import t from 'tap';
import { decidePayment, decideValidation, type PaymentEventType } from '@orderflow/core';
import { useTestServers } from '@orderflow/testkit';
import type { SchedulerRuntime } from '../src/scheduler.js';
import { eventually, newOrder, newSystem, startTestScheduler, storedEvents, storeOf } from './support.js';

const servers = await useTestServers(t);
const SETTLE_MS = 100;

/** A processing order whose provider events ended in `final`, settling SETTLE_MS later. */
async function paidOrder(scheduler: SchedulerRuntime, final: 'payment.captured' | 'payment.declined') {
  const store = storeOf(scheduler);
  const { order } = await store.create(newOrder(), 'hash');
  await store.decide(order.id, (o) => decideValidation(o, { failures: [], handling: 'standard', risk_score: 0.1 }));
  const types: PaymentEventType[] = ['payment.created', 'payment.authorized', final];
  const startMs = Date.now();
  for (const [index, type] of types.entries()) {
    const event = {
      event_id: `${order.id}-evt-${index}`,
      type,
      order_id: order.id,
      created_at: new Date(startMs + index).toISOString(),
    };
    await store.decide(order.id, (o) => decidePayment(o, event, Date.now(), SETTLE_MS));
  }
  const paid = await store.snapshot(order.id);
  if (paid?.status !== 'processing' || paid.settle_at === null) throw new Error('the order should await settlement');
  return paid;
}

t.test('a processing order with a captured payment past its settle_at completes', async (t) => {
  const scheduler = await startTestScheduler(t, newSystem(servers), { SWEEP_INTERVAL_MS: '200' });
  const order = await paidOrder(scheduler, 'payment.captured');

  const settled = await eventually('the order to settle', async () => {
    const snapshot = await storeOf(scheduler).snapshot(order.id);
    return snapshot?.status === 'completed' && snapshot;
  });

  t.equal(settled.settle_at, null, 'nothing waits any more');
  const events = await storedEvents(scheduler, order.id);
  t.equal(events.at(-1)?.type, 'order.completed');
  t.equal(events.filter((event) => event.type === 'order.completed').length, 1);
});

t.test('a processing order with a declined payment past its settle_at fails', async (t) => {
  const scheduler = await startTestScheduler(t, newSystem(servers), { SWEEP_INTERVAL_MS: '200' });
  const order = await paidOrder(scheduler, 'payment.declined');

  await eventually('the order to settle', async () => {
    return (await storeOf(scheduler).snapshot(order.id))?.status === 'failed';
  });

  t.equal((await storedEvents(scheduler, order.id)).at(-1)?.type, 'order.failed');
});
