import t from 'tap';
import { useTestServers } from '@orderflow/testkit';
import { eventually } from '../packages/platform/test/support/eventually.js';
import { startStack } from './support/stack.js';

// Hundreds of orders through real servers: on FerretDB's SQLite backend this takes minutes.
t.setTimeout(600_000);
const servers = await useTestServers(t);

/** The payload shapes clients send (SPEC §3), cycling through lanes. */
function payload(i: number): Record<string, unknown> {
  const priority = (i % 3) + 1;
  switch (i % 3) {
    case 0:
      return { customer_id: `cust-${i}`, items: ['item1', 'item2'], total: 19.99, priority };
    case 1:
      return {
        id: `client-${process.pid}-${i}`,
        amount: 250,
        items: [{ sku: 'SKU-9', quantity: 2 }],
        customer: `buyer${i}@example.com`,
        address: '1 Main St, Springfield',
        priority,
        notes: 'gift wrap',
      };
    default:
      return {
        customer_id: `cust-${i}`,
        customer_email: `c${i}@example.com`,
        items: [
          { sku: 'A', name: 'Mug', quantity: 2, unit_price: 12.5 },
          { sku: 'B', quantity: 1, unit_price: 75 },
        ],
        total: 100,
        currency: 'EUR',
        priority,
        address: { line1: '2 High St', city: 'Leeds', country: 'GB' },
      };
  }
}

async function postAll(post: (body: unknown) => Promise<{ status: number; json: Record<string, any> }>, count: number) {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - start) }, (_, k) => post(payload(start + k))),
    );
    for (const response of batch) {
      if (response.status !== 202)
        throw new Error(`POST answered ${response.status}: ${JSON.stringify(response.json)}`);
      ids.push(response.json.id as string);
    }
  }
  return ids;
}

t.test('200 orders across the lanes and payload shapes all complete with success rate 1', async (t) => {
  const stack = await startStack(t, servers, { env: { PAYMENT_SUCCESS_RATE: '1', MAX_IN_FLIGHT: '32' } });
  const ids = await postAll((body) => stack.post('/orders', body), 200);
  await eventually(
    'every order completed',
    async () => (await stack.statusCounts(ids)).completed === 200,
    120_000,
    250,
  );

  const sample = await stack.get(`/orders/${ids[7]}`);
  t.same(
    sample.json.history.map((h: { type: string }) => h.type),
    ['order.created', 'order.processing', 'order.payment', 'order.payment', 'order.payment', 'order.completed'],
  );
  t.equal(sample.json.payment.state, 'captured');
  t.equal(sample.json.status_reason, 'payment captured');
  const lanes = await stack.db.collection('orders').distinct('lane', { _id: { $in: ids as never[] } });
  t.same(lanes.sort(), ['high', 'low', 'normal']);
  t.equal(await stack.db.collection('order_events').countDocuments({ order_id: { $in: ids }, published_at: null }), 0);
});

t.test('with success rate 0 orders are validated and stay processing', async (t) => {
  const stack = await startStack(t, servers, { env: { PAYMENT_SUCCESS_RATE: '0' } });
  const ids = await postAll((body) => stack.post('/orders', body), 12);
  await eventually('every payment decided by the provider', async () => {
    const stats = await stack.simulatorStats();
    return stats.payments.no_answer === 12;
  });
  t.same(await stack.statusCounts(ids), { processing: 12 });
  t.equal((await stack.simulatorStats()).webhooks.total, 0, 'no webhook was sent');
});

t.test('orders breaking each business rule are rejected with the reason', async (t) => {
  const stack = await startStack(t, servers, { env: { PAYMENT_SUCCESS_RATE: '1' } });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['total_max', { customer_id: 'r1', items: ['a'], total: 10_000.01 }, /exceeds the maximum of 10000\.00/],
    ['total_positive', { customer_id: 'r2', items: ['a'], total: 0 }, /must be above 0/],
    ['item_count', { customer_id: 'r3', items: Array.from({ length: 51 }, (_, i) => `s${i}`), total: 51 }, /51 items/],
    ['item_count', { customer_id: 'r4', items: [], total: 5 }, /0 items/],
    [
      'price_sum',
      { customer_id: 'r5', items: [{ sku: 'a', quantity: 2, unit_price: 10 }], total: 20.01 },
      /sum to 20\.00, total is 20\.01/,
    ],
    ['quantity', { customer_id: 'r6', items: [{ sku: 'a', quantity: 0 }], total: 5 }, /quantity/],
    ['quantity', { customer_id: 'r7', items: [{ sku: 'a', quantity: 1_001 }], total: 5 }, /a: 1001/],
  ];
  const ids: string[] = [];
  for (const [, body] of cases) ids.push((await stack.post('/orders', body)).json.id as string);
  await eventually('every order rejected', async () => (await stack.statusCounts(ids)).rejected === cases.length);
  for (const [i, [rule, , message]] of cases.entries()) {
    const order = (await stack.get(`/orders/${ids[i]}`)).json;
    t.match(order, { status: 'rejected', reasons: [{ rule }] }, rule);
    t.match(order.status_reason, message);
  }
  t.equal((await stack.simulatorStats()).payments.total, 0, 'no payment was requested for a rejected order');
});

t.test('an order cancelled while pending never reaches the payment step', async (t) => {
  const stack = await startStack(t, servers, { env: { PAYMENT_SUCCESS_RATE: '1' }, deferProcessor: true });
  const created = await stack.post('/orders', { customer_id: 'cx', items: ['a'], total: 5 });
  const cancelled = await stack.post(`/orders/${created.json.id}/cancel`, { reason: 'no longer needed' });
  t.equal(cancelled.status, 200);
  const processor = await stack.startProcessor();
  await eventually('the processor has taken the message', async () => {
    const backlog = await processor.bus.backlog('processor-normal');
    return backlog.pending === 0 && backlog.ackPending === 0;
  });
  const order = (await stack.get(`/orders/${created.json.id}`)).json;
  t.equal(order.status, 'cancelled');
  t.same(
    order.history.map((h: { type: string }) => h.type),
    ['order.created', 'order.cancelled'],
  );
  t.equal((await stack.simulatorStats()).payments.total, 0, 'the provider never heard of it');
});
