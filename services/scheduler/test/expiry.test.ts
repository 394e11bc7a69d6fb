import t from 'tap';
import { decideValidation } from '@orderflow/core';
import { ORDERS } from '@orderflow/event-store';
import { useTestServers } from '@orderflow/testkit';
import {
  collect,
  eventually,
  metricValue,
  newOrder,
  newSystem,
  startTestScheduler,
  storedEvents,
  storeOf,
} from './support.js';

const servers = await useTestServers(t);
const TICKS = 'orderflow_scheduler_ticks_total';

t.test('a stale pending order expires once and order.expired is published', async (t) => {
  const scheduler = await startTestScheduler(t, newSystem(servers), { ORDER_TTL_MS: '300', EXPIRY_INTERVAL_MS: '200' });
  const expiredMessages = collect(t, scheduler, 'notifier-expired');
  const { order } = await storeOf(scheduler).create(newOrder(), 'hash');

  const events = await eventually('the order to expire', async () => {
    const stored = await storedEvents(scheduler, order.id);
    return stored.at(-1)?.type === 'order.expired' && stored;
  });
  const expiryTicks = await metricValue(scheduler.registry, TICKS, { scheduler_job: 'expiry' });
  await eventually('three more expiry ticks', async () => {
    return (await metricValue(scheduler.registry, TICKS, { scheduler_job: 'expiry' })) >= expiryTicks + 3;
  });

  t.same(
    (await storedEvents(scheduler, order.id)).map((event) => event.type),
    ['order.created', 'order.expired'],
    'expired once, never again',
  );
  t.equal(events.length, 2);
  const message = await eventually('order.expired on the bus', () => expiredMessages[0]);
  t.equal(message.msgId, `${order.id}:2`);
  t.match(message.json(), { type: 'order.expired', order_id: order.id, source: 'scheduler' });
  t.equal((await storeOf(scheduler).snapshot(order.id))?.status, 'expired');
  t.equal(await metricValue(scheduler.registry, 'orderflow_orders_expired_total'), 1);
  t.equal(await metricValue(scheduler.registry, 'orderflow_scheduler_leader'), 1, 'the only replica leads');
});

t.test('a stale processing order expires too', async (t) => {
  const scheduler = await startTestScheduler(t, newSystem(servers), { ORDER_TTL_MS: '300', EXPIRY_INTERVAL_MS: '200' });
  const store = storeOf(scheduler);
  const { order } = await store.create(newOrder(), 'hash');
  await store.decide(order.id, (o) => decideValidation(o, { failures: [], handling: 'standard', risk_score: 0.1 }));

  await eventually(
    'the processing order to expire',
    async () => (await store.snapshot(order.id))?.status === 'expired',
  );
  t.same(
    (await storedEvents(scheduler, order.id)).map((event) => event.type),
    ['order.created', 'order.processing', 'order.expired'],
  );
});

t.test('an order changed within ORDER_TTL_MS is left alone', async (t) => {
  const scheduler = await startTestScheduler(t, newSystem(servers), { EXPIRY_INTERVAL_MS: '100' });
  const { order } = await storeOf(scheduler).create(newOrder(), 'hash');

  await eventually('three expiry ticks', async () => {
    return (await metricValue(scheduler.registry, TICKS, { scheduler_job: 'expiry' })) >= 3;
  });

  t.equal((await storeOf(scheduler).snapshot(order.id))?.status, 'pending');
  t.equal((await storedEvents(scheduler, order.id)).length, 1);
  t.equal(await metricValue(scheduler.registry, 'orderflow_orders_expired_total'), 0);
});

t.test(
  'an order whose snapshot lags behind a recent change is not expired, and its snapshot is repaired',
  async (t) => {
    const scheduler = await startTestScheduler(t, newSystem(servers), {
      ORDER_TTL_MS: '60000',
      EXPIRY_INTERVAL_MS: '100',
    });
    const store = storeOf(scheduler);
    const { order } = await store.create(newOrder(), 'hash');
    await store.decide(order.id, (o) => decideValidation(o, { failures: [], handling: 'standard', risk_score: 0.1 }));
    // As a crash between append and snapshot leaves it: the snapshot still shows seq 1, long idle.
    await scheduler.mongo.db
      .collection<{ _id: string }>(ORDERS)
      .updateOne({ _id: order.id }, { $set: { version: 1, status: 'pending', updated_at: new Date(0) } });

    const repaired = await eventually('the snapshot to be repaired', async () => {
      const snapshot = await store.snapshot(order.id);
      return snapshot?.version === 2 && snapshot;
    });

    t.equal(repaired.status, 'processing');
    t.same(
      (await storedEvents(scheduler, order.id)).map((event) => event.type),
      ['order.created', 'order.processing'],
    );
  },
);
