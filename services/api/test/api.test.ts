import t, { type Test } from 'tap';
import { useTestServers } from '@orderflow/testkit';
import { createMongo } from '@orderflow/platform';
import { sign, startTestApi } from './support.js';

const servers = await useTestServers(t);
const api = await startTestApi(t, servers, { RATE_LIMIT_PER_MIN: '100000', MAX_BODY_BYTES: '4096' });
const mongo = createMongo({ url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 2, timeoutMs: 5_000 }, 'test');
t.teardown(() => mongo.close());

let counter = 0;
const nextId = (prefix = 'o') => `${prefix}-${process.pid}-${++counter}`;

/** Counts of what the api can write, to show a refused request changed nothing. */
async function storeState() {
  const [events, orders] = await Promise.all([
    mongo.db.collection('order_events').countDocuments(),
    mongo.db.collection('orders').countDocuments(),
  ]);
  return { events, orders };
}

async function refused(
  t: Test,
  call: () => ReturnType<typeof api.request>,
  status: number,
  error: string,
): Promise<Awaited<ReturnType<typeof api.request>>> {
  const before = await storeState();
  const response = await call();
  t.equal(response.status, status, `status ${status} (${response.text.slice(0, 200)})`);
  t.equal(response.json?.error, error);
  t.type(response.json?.message, 'string');
  t.type(response.json?.request_id, 'string');
  t.same(await storeState(), before, 'nothing stored');
  return response;
}

t.test('the short shape {customer_id, items: ["item1"], total} is accepted with 202 and Location', async (t) => {
  const response = await api.request('POST', '/orders', { customer_id: 'c-1', items: ['item1', 'item2'], total: 25.5 });
  t.equal(response.status, 202);
  t.equal(response.headers.get('location'), `/orders/${response.json.id}`);
  t.match(response.json, {
    customer_id: 'c-1',
    total: 25.5,
    currency: 'USD',
    priority: 2,
    lane: 'normal',
    status: 'pending',
    created_by: 'c-1',
    version: 1,
    items: [
      { sku: 'item1', quantity: 1 },
      { sku: 'item2', quantity: 1 },
    ],
  });
});

t.test('the client shape {id, amount, items, customer, address, priority, notes} maps its aliases', async (t) => {
  const id = nextId();
  const response = await api.request('POST', '/api/orders', {
    id,
    amount: 120,
    items: [{ sku: 'A-1', name: 'Widget', quantity: 2, unit_price: 60 }],
    customer: 'ann@example.com',
    address: { line1: '1 Main St', city: 'Springfield', country: 'US' },
    priority: 1,
    notes: 'leave at the door',
  });
  t.equal(response.status, 202);
  t.match(response.json, {
    id,
    customer_id: 'ann@example.com',
    customer_email: 'ann@example.com',
    total: 120,
    lane: 'high',
    priority: 1,
    address: { line1: '1 Main St' },
    notes: 'leave at the door',
    items: [{ sku: 'A-1', name: 'Widget', quantity: 2, unit_price: 60 }],
  });
});

t.test('created_by comes from X-User-Id, else user_id, else the customer', async (t) => {
  const fromHeader = await api.request(
    'POST',
    '/orders',
    { customer_id: 'c', items: ['x'], total: 1, user_id: 'u-body' },
    { 'x-user-id': 'u-header' },
  );
  t.equal(fromHeader.json.created_by, 'u-header');
  const fromBody = await api.request('POST', '/orders', {
    customer_id: 'c',
    items: ['x'],
    total: 1,
    user_id: 'u-body',
  });
  t.equal(fromBody.json.created_by, 'u-body');
});

t.test('a repeated client id with the same payload returns the original with 200', async (t) => {
  const body = { id: nextId(), customer_id: 'c-2', items: ['a'], total: 10 };
  const first = await api.request('POST', '/orders', body);
  t.equal(first.status, 202);
  const before = await storeState();
  const again = await api.request('POST', '/orders', { total: 10, items: ['a'], customer_id: 'c-2', id: body.id });
  t.equal(again.status, 200);
  t.equal(again.json.id, body.id);
  t.equal(again.json.created_at, first.json.created_at);
  t.same(await storeState(), before, 'nothing stored twice');
});

t.test('a repeated client id with a different payload is refused with 409', async (t) => {
  const id = nextId();
  await api.request('POST', '/orders', { id, customer_id: 'c-3', items: ['a'], total: 10 });
  await refused(
    t,
    () => api.request('POST', '/orders', { id, customer_id: 'c-3', items: ['a'], total: 11 }),
    409,
    'idempotency_conflict',
  );
});

t.test('the Idempotency-Key header makes creation idempotent too', async (t) => {
  const key = `key-${nextId()}`;
  const body = { customer_id: 'c-4', items: ['a'], total: 3 };
  const first = await api.request('POST', '/orders', body, { 'idempotency-key': key });
  const again = await api.request('POST', '/orders', body, { 'idempotency-key': key });
  t.equal(first.status, 202);
  t.equal(again.status, 200);
  t.equal(again.json.id, first.json.id);
  await refused(
    t,
    () => api.request('POST', '/orders', { ...body, total: 4 }, { 'idempotency-key': key }),
    409,
    'idempotency_conflict',
  );
});

t.test('orders breaking business rules are accepted; the processor rejects them later', async (t) => {
  const response = await api.request('POST', '/orders', {
    customer_id: 'c-5',
    items: [{ sku: 'a', quantity: 0 }],
    total: 10_000.01,
  });
  t.equal(response.status, 202);
});

t.test('GET /orders/{id} returns the order with its history; unknown ids are 404', async (t) => {
  const created = await api.request('POST', '/orders', { customer_id: 'c-6', items: ['a'], total: 1 });
  const response = await api.request('GET', `/orders/${created.json.id}`);
  t.equal(response.status, 200);
  t.match(response.json.history, [{ seq: 1, type: 'order.created', status: 'pending' }]);
  await refused(t, () => api.request('GET', '/orders/no-such-order'), 404, 'not_found');
});

t.test('GET /orders/{id}/events returns the history as events', async (t) => {
  const created = await api.request('POST', '/orders', { customer_id: 'c-7', items: ['a'], total: 1 });
  const response = await api.request('GET', `/orders/${created.json.id}/events`);
  t.equal(response.status, 200);
  t.match(response.json.events, [{ id: `${created.json.id}:1`, seq: 1, type: 'order.created' }]);
  await refused(t, () => api.request('GET', '/orders/nobody/events'), 404, 'not_found');
});

t.test('GET /orders lists newest first with filters and a cursor', async (t) => {
  const customer = nextId('cust');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await api.request('POST', '/orders', {
      customer_id: customer,
      items: ['a'],
      total: 1,
      priority: i === 0 ? 1 : 3,
    });
    ids.push(r.json.id);
  }
  const page1 = await api.request('GET', `/orders?customer_id=${customer}&limit=2`);
  t.equal(page1.status, 200);
  t.same(
    page1.json.orders.map((o: { id: string }) => o.id),
    [ids[2], ids[1]],
  );
  const page2 = await api.request('GET', `/orders?customer_id=${customer}&limit=2&cursor=${page1.json.next_cursor}`);
  t.same(
    page2.json.orders.map((o: { id: string }) => o.id),
    [ids[0]],
  );
  t.equal(page2.json.next_cursor, null);
  const high = await api.request('GET', `/orders?customer_id=${customer}&lane=high&status=pending`);
  t.same(
    high.json.orders.map((o: { id: string }) => o.id),
    [ids[0]],
  );
});

t.test('bad list queries are 400', async (t) => {
  await refused(t, () => api.request('GET', '/orders?limit=201'), 400, 'validation_error');
  await refused(t, () => api.request('GET', '/orders?status=lost'), 400, 'validation_error');
  await refused(t, () => api.request('GET', '/orders?cursor=bogus'), 400, 'validation_error');
  await refused(t, () => api.request('GET', '/orders?customer_id[$ne]=x'), 400, 'validation_error');
});

t.test('cancelling a pending order answers the cancelled order; again is 409', async (t) => {
  const created = await api.request('POST', '/orders', { customer_id: 'c-8', items: ['a'], total: 1 });
  const cancelled = await api.request(
    'POST',
    `/orders/${created.json.id}/cancel`,
    { reason: 'changed my mind' },
    { 'x-user-id': 'u1' },
  );
  t.equal(cancelled.status, 200);
  t.match(cancelled.json, { status: 'cancelled', status_reason: 'changed my mind', version: 2 });
  await refused(t, () => api.request('POST', `/orders/${created.json.id}/cancel`), 409, 'order_terminal');
  await refused(t, () => api.request('POST', '/orders/nobody/cancel'), 404, 'not_found');
});

t.test('shape errors are 400 with every field listed', async (t) => {
  const response = await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 7, items: 'x', total: '10', priority: 5, extra: true }),
    400,
    'validation_error',
  );
  const fields = response.json.details.map((d: { field: string }) => d.field).sort();
  t.same(fields, ['customer_id', 'extra', 'items', 'priority', 'total']);
  t.match(response.json.details, [{ field: String, message: String }]);
});

t.test('strings are never coerced to numbers', async (t) => {
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: ['a'], total: '10.00' }),
    400,
    'validation_error',
  );
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: [{ sku: 'a', quantity: '1' }], total: 1 }),
    400,
    'validation_error',
  );
});

t.test('unknown fields are refused, also inside items and addresses', async (t) => {
  await refused(
    t,
    () =>
      api.request('POST', '/orders', { customer_id: 'c', items: [{ sku: 'a', quantity: 1, color: 'red' }], total: 1 }),
    400,
    'validation_error',
  );
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: ['a'], total: 1, address: { street: 'x' } }),
    400,
    'validation_error',
  );
});

t.test('keys starting with $ or containing a dot are refused wherever they are', async (t) => {
  const top = await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: ['a'], total: 1, $where: '1' }),
    400,
    'validation_error',
  );
  t.match(top.json.details, [{ field: '$where', message: /may not start with "\$"/ }]);
  const nested = await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: [{ sku: 'a', quantity: 1, 'a.b': 1 }], total: 1 }),
    400,
    'validation_error',
  );
  t.match(nested.json.details, [{ field: 'items[0].a.b' }]);
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: { $ne: null }, items: ['a'], total: 1 }),
    400,
    'validation_error',
  );
});

t.test('a client id that could break event ids or subjects is refused', async (t) => {
  for (const id of ['a:b', 'a.b', 'a*', 'a b', 'x'.repeat(65)]) {
    await refused(
      t,
      () => api.request('POST', '/orders', { id, customer_id: 'c', items: ['a'], total: 1 }),
      400,
      'validation_error',
    );
  }
});

t.test('missing customer or total, conflicting aliases and fractions of a cent are 400', async (t) => {
  await refused(t, () => api.request('POST', '/orders', { items: ['a'], total: 1 }), 400, 'validation_error');
  await refused(t, () => api.request('POST', '/orders', { customer_id: 'c', items: ['a'] }), 400, 'validation_error');
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', customer: 'd', items: ['a'], total: 1 }),
    400,
    'validation_error',
  );
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: ['a'], total: 1, amount: 2 }),
    400,
    'validation_error',
  );
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: ['a'], total: 1.005 }),
    400,
    'validation_error',
  );
});

t.test('malformed JSON is 400', async (t) => {
  await refused(t, () => api.request('POST', '/orders', '{"customer_id": '), 400, 'invalid_json');
  await refused(
    t,
    () => api.request('POST', '/orders', '{"__proto__": {"x": 1}, "customer_id": "c", "items": [], "total": 1}'),
    400,
    'invalid_json',
  );
});

t.test('a body over MAX_BODY_BYTES is 413', async (t) => {
  const notes = 'x'.repeat(5_000);
  await refused(
    t,
    () => api.request('POST', '/orders', { customer_id: 'c', items: ['a'], total: 1, notes }),
    413,
    'payload_too_large',
  );
});

t.test('a body that is not JSON is 415', async (t) => {
  await refused(
    t,
    () => api.request('POST', '/orders', 'customer_id=c', { 'content-type': 'application/x-www-form-urlencoded' }),
    415,
    'unsupported_media_type',
  );
  await refused(
    t,
    () => api.request('POST', '/orders', 'hello', { 'content-type': 'text/plain' }),
    415,
    'unsupported_media_type',
  );
});

t.test('an unknown route is 404 with the error shape', async (t) => {
  await refused(t, () => api.request('GET', '/nothing-here'), 404, 'not_found');
});

t.test('webhooks: a bad or missing signature is 401 and stores nothing', async (t) => {
  const created = await api.request('POST', '/orders', { customer_id: 'c-9', items: ['a'], total: 1 });
  const body = JSON.stringify({
    event_id: nextId('evt'),
    type: 'payment.created',
    order_id: created.json.id,
    created_at: new Date().toISOString(),
  });
  const before = await api.runtime.bus.backlog('processor-payments');
  await refused(
    t,
    () => api.request('POST', '/webhooks/payments', body, { 'x-signature': sign(body, 'wrong') }),
    401,
    'invalid_signature',
  );
  await refused(t, () => api.request('POST', '/webhooks/payments', body), 401, 'invalid_signature');
  t.same(await api.runtime.bus.backlog('processor-payments'), before, 'nothing published');
});

t.test('webhooks: an event for an unknown order gets a retryable 503', async (t) => {
  const body = JSON.stringify({
    event_id: nextId('evt'),
    type: 'payment.created',
    order_id: 'unknown-order',
    created_at: new Date().toISOString(),
  });
  const response = await refused(
    t,
    () => api.request('POST', '/webhooks/payments', body, { 'x-signature': sign(body) }),
    503,
    'order_unknown',
  );
  t.equal(response.headers.get('retry-after'), '5');
});

t.test('webhooks: a valid event is stored in PAYMENTS once, however often it is sent', async (t) => {
  const created = await api.request('POST', '/orders', { customer_id: 'c-10', items: ['a'], total: 1 });
  const body = JSON.stringify({
    event_id: nextId('evt'),
    type: 'payment.created',
    order_id: created.json.id,
    created_at: new Date().toISOString(),
    amount: 1,
    currency: 'USD',
  });
  const before = (await api.runtime.bus.backlog('processor-payments')).pending;
  const first = await api.request('POST', '/webhooks/payments', body, { 'x-signature': sign(body) });
  const again = await api.request('POST', '/webhooks/payments', body, { 'x-signature': sign(body) });
  t.equal(first.status, 202);
  t.match(first.json, { status: 'accepted', duplicate: false });
  t.equal(again.status, 202);
  t.match(again.json, { duplicate: true });
  t.equal((await api.runtime.bus.backlog('processor-payments')).pending, before + 1);
});

t.test('webhooks: a signed but invalid body is 400', async (t) => {
  const body = JSON.stringify({ event_id: 'e', type: 'payment.refunded', order_id: 'x', created_at: 'yesterday' });
  await refused(
    t,
    () => api.request('POST', '/webhooks/payments', body, { 'x-signature': sign(body) }),
    400,
    'validation_error',
  );
  const hostile = JSON.stringify({
    event_id: 'e',
    type: 'payment.created',
    order_id: 'x',
    created_at: new Date().toISOString(),
    $set: 1,
  });
  await refused(
    t,
    () => api.request('POST', '/webhooks/payments', hostile, { 'x-signature': sign(hostile) }),
    400,
    'validation_error',
  );
});

t.test('every answer carries a request id, and a given X-Request-Id is echoed', async (t) => {
  const response = await api.request('GET', '/orders/none', undefined, { 'x-request-id': 'trace-123' });
  t.equal(response.headers.get('x-request-id'), 'trace-123');
  t.equal(response.json.request_id, 'trace-123');
});
