import t from 'tap';
import { createMongo } from '@orderflow/platform';
import { useTestServers } from '@orderflow/testkit';
import { startTestApi } from './support.js';

const servers = await useTestServers(t);
const api = await startTestApi(t, servers, { RATE_LIMIT_PER_MIN: '100000' });
const mongo = createMongo({ url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 2, timeoutMs: 5_000 }, 'test');
t.teardown(() => mongo.close());
// The notifier writes these records; the api only reads them.
const notifications = mongo.db.collection<Record<string, unknown> & { _id: string }>('notifications');

async function createOrder(): Promise<string> {
  const response = await api.request('POST', '/orders', { customer_id: 'cust-n', items: ['item1'], total: 12.5 });
  if (response.status !== 202) throw new Error(`creating an order answered ${response.status}: ${response.text}`);
  return response.json.id as string;
}

function record(orderId: string, seq: number, createdAt: string, result: string) {
  const at = new Date(createdAt);
  return {
    _id: `${orderId}:${seq}`,
    event_id: `${orderId}:${seq}`,
    event_type: 'order.cancelled',
    order_id: orderId,
    customer_id: 'cust-n',
    recipient: 'cust-n',
    channel: 'log',
    status: 'cancelled',
    result,
    reasons: [],
    status_reason: 'changed my mind',
    created_by: 'cust-n',
    trace_id: null,
    order_created_at: at,
    order_updated_at: at,
    attempts: 1,
    error: null,
    created_at: at,
    updated_at: at,
    sent_at: result === 'sent' ? at : null,
  };
}

t.test('the notification records of an order are listed oldest first', async (t) => {
  const orderId = await createOrder();
  const other = await createOrder();
  await notifications.insertMany([
    record(orderId, 3, '2026-05-01T10:00:02.000Z', 'sent'),
    record(orderId, 2, '2026-05-01T10:00:01.000Z', 'failed'),
    record(other, 2, '2026-05-01T10:00:00.000Z', 'sent'),
  ]);

  const response = await api.request('GET', `/orders/${orderId}/notifications`);

  t.equal(response.status, 200);
  t.equal(response.json.order_id, orderId);
  t.same(
    response.json.notifications.map((n: Record<string, unknown>) => [n.event_id, n.result]),
    [
      [`${orderId}:2`, 'failed'],
      [`${orderId}:3`, 'sent'],
    ],
  );
  t.match(response.json.notifications[1], {
    event_type: 'order.cancelled',
    recipient: 'cust-n',
    status: 'cancelled',
    created_at: '2026-05-01T10:00:02.000Z',
    sent_at: '2026-05-01T10:00:02.000Z',
  });
  t.notOk('_id' in response.json.notifications[0], 'no storage id');
});

t.test('an order without notifications has an empty list', async (t) => {
  const orderId = await createOrder();

  const response = await api.request('GET', `/orders/${orderId}/notifications`);

  t.equal(response.status, 200);
  t.same(response.json, { order_id: orderId, notifications: [] });
});

t.test('the notifications of an unknown order are 404 with the error shape', async (t) => {
  const response = await api.request('GET', '/orders/no-such-order/notifications', undefined, {
    'x-request-id': 'req-n-1',
  });

  t.equal(response.status, 404);
  t.same(response.json, { error: 'not_found', message: 'order no-such-order not found', request_id: 'req-n-1' });
});

t.test('an order id of the wrong form is 400', async (t) => {
  const response = await api.request('GET', `/orders/${'x'.repeat(65)}/notifications`);

  t.equal(response.status, 400);
  t.equal(response.json.error, 'validation_error');
});
