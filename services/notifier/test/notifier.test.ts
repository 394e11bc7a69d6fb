import t from 'tap';
import { envelopeOf } from '@orderflow/core';
import { createMemoryBus, createTopology, type Runtime } from '@orderflow/platform';
import { useTestServers } from '@orderflow/testkit';
import {
  captureLog,
  createOrder,
  eventually,
  moveTo,
  newDeployment,
  orderStoreOf,
  recordsOf,
  settled,
  silentLog,
  startTestNotifier,
} from './support.js';

const servers = await useTestServers(t);

/** `orderflow_notifications_total` of one replica, by result. */
async function notificationCounts(runtime: Runtime): Promise<Record<string, number>> {
  const metric = await runtime.registry.getSingleMetric('orderflow_notifications_total')?.get();
  const counts: Record<string, number> = {};
  for (const { labels, value } of metric?.values ?? []) {
    const result = String(labels.result);
    counts[result] = (counts[result] ?? 0) + value;
  }
  return counts;
}

t.test('a completed order gets exactly one mail line and one sent record', async (t) => {
  const log = captureLog();
  const notifier = await startTestNotifier(t, newDeployment(servers), { log });
  const store = orderStoreOf(notifier, notifier.bus);
  const order = await createOrder(store, { customer_id: 'cust-42', created_by: 'clerk-7' });

  const event = await moveTo(store, order.id, 'completed');
  const [record] = await eventually('the sent record', async () => {
    const records = await recordsOf(notifier, order.id);
    return records[0]?.result === 'sent' && records;
  });
  await settled(notifier.bus, 'notifier-completed');

  const mails = log.mailLines();
  t.equal(mails.length, 1, 'one mail line');
  t.equal(mails[0]?.message, `Email sent to customer cust-42 for Order #${order.id} - Status: completed`);
  t.equal(mails[0]?.['log.level'], 'info');
  t.equal(mails[0]?.['order.id'], order.id);
  const current = await store.load(order.id);
  t.match(record, {
    _id: `${order.id}:${event.seq}`,
    event_id: `${order.id}:${event.seq}`,
    event_type: 'order.completed',
    order_id: order.id,
    customer_id: 'cust-42',
    recipient: 'cust-42',
    channel: 'log',
    status: 'completed',
    result: 'sent',
    reasons: [],
    status_reason: 'payment captured',
    created_by: 'clerk-7',
    trace_id: null,
    attempts: 1,
    error: null,
  });
  t.same(record?.order_created_at, new Date(current!.created_at));
  t.same(record?.order_updated_at, new Date(current!.updated_at));
  t.ok(record?.sent_at instanceof Date && record.sent_at >= record.created_at, 'sent_at is set');
  t.same(await recordsOf(notifier, order.id).then((r) => r.length), 1, 'one record');
});

t.test('rejected, failed and cancelled orders are mailed once each with their reasons recorded', async (t) => {
  const log = captureLog();
  const notifier = await startTestNotifier(t, newDeployment(servers), { log });
  const store = orderStoreOf(notifier, notifier.bus);
  const statuses = ['rejected', 'failed', 'cancelled'] as const;
  const orders = await Promise.all(statuses.map(() => createOrder(store)));

  await Promise.all(statuses.map((status, i) => moveTo(store, orders[i]!.id, status)));
  const records = await eventually('three sent records', async () => {
    const found = await Promise.all(orders.map((order) => recordsOf(notifier, order.id)));
    return found.every((r) => r.length === 1 && r[0]?.result === 'sent') && found.map((r) => r[0]!);
  });

  t.same(
    log
      .mailLines()
      .map((line) => line.message as string)
      .sort(),
    statuses
      .map(
        (status, i) =>
          `Email sent to customer ${orders[i]!.customer_id} for Order #${orders[i]!.id} - Status: ${status}`,
      )
      .sort(),
  );
  t.match(records[0], {
    status: 'rejected',
    reasons: [
      { rule: 'total_max', message: 'total exceeds 10000.00' },
      { rule: 'risk', message: 'risk score 0.97 is at or above 0.85' },
    ],
  });
  t.match(records[1], { status: 'failed', status_reason: 'payment declined' });
  t.match(records[2], { status: 'cancelled', status_reason: 'changed my mind' });
});

t.test('an expired order is recorded without any mail', async (t) => {
  const log = captureLog();
  const notifier = await startTestNotifier(t, newDeployment(servers), { log });
  const store = orderStoreOf(notifier, notifier.bus);
  const order = await createOrder(store);

  await moveTo(store, order.id, 'expired');
  const [record] = await eventually('the recorded record', async () => {
    const records = await recordsOf(notifier, order.id);
    return records.length === 1 && records;
  });
  await settled(notifier.bus, 'notifier-expired');

  t.match(record, {
    event_type: 'order.expired',
    status: 'expired',
    result: 'recorded',
    recipient: null,
    channel: null,
    attempts: 0,
    sent_at: null,
  });
  t.equal(log.mailLines().length, 0, 'no mail line');
});

t.test('the same event delivered to two replicas at once makes one record and one mail', async (t) => {
  const deployment = newDeployment(servers);
  const logs = [captureLog(), captureLog()];
  const replicas = [
    await startTestNotifier(t, deployment, { log: logs[0]! }),
    await startTestNotifier(t, deployment, { log: logs[1]! }),
  ];
  const [first] = replicas as [Runtime, Runtime];
  // Orders are stored through a bus of their own, so every copy below arrives together.
  const quiet = orderStoreOf(first, createMemoryBus(createTopology(first.config.bus), silentLog));
  const order = await createOrder(quiet);
  const event = await moveTo(quiet, order.id, 'cancelled');
  const envelope = JSON.stringify(envelopeOf(event, 'api'));

  // New message ids get past JetStream's de-duplication, as a republish after its window would.
  await Promise.all(
    [1, 2, 3, 4, 5, 6].map((n) =>
      first.bus.publish('order.cancelled', envelope, { msgId: `${event.order_id}:${event.seq}:copy-${n}` }),
    ),
  );
  await eventually('the sent record', async () => (await recordsOf(first, order.id))[0]?.result === 'sent');
  await settled(first.bus, 'notifier-cancelled');

  const records = await recordsOf(first, order.id);
  t.equal(records.length, 1, 'one record');
  t.match(records[0], { result: 'sent', attempts: 1 });
  t.equal(logs[0]!.mailLines().length + logs[1]!.mailLines().length, 1, 'one mail line across both replicas');
  const counts = await Promise.all(replicas.map((replica) => notificationCounts(replica)));
  t.equal(
    counts.reduce((sum, c) => sum + (c.sent ?? 0), 0),
    1,
    'one sent in the metrics',
  );
  t.equal(
    counts.reduce((sum, c) => sum + (c.duplicate ?? 0), 0),
    5,
    'the five other copies acked as duplicates',
  );
});

t.test('the trace id is taken from the traceparent header', async (t) => {
  const deployment = newDeployment(servers);
  const notifier = await startTestNotifier(t, deployment, { log: captureLog() });
  // Orders are stored through a bus of their own, so the only terminal message is ours.
  const quiet = orderStoreOf(notifier, createMemoryBus(createTopology(notifier.config.bus), silentLog));
  const order = await createOrder(quiet);
  const event = await moveTo(quiet, order.id, 'cancelled');
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  await notifier.bus.publish('order.cancelled', JSON.stringify(envelopeOf(event, 'api')), {
    msgId: `${event.order_id}:${event.seq}`,
    headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'content-type': 'application/json' },
  });
  const [record] = await eventually('the sent record', async () => {
    const records = await recordsOf(notifier, order.id);
    return records[0]?.result === 'sent' && records;
  });

  t.equal(record?.trace_id, traceId);
});
