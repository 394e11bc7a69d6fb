import { createHmac } from 'node:crypto';
import t from 'tap';
import type { Payment, SimulatorStats } from '@orderflow/payment-simulator';
import { eventually } from './support/eventually.js';
import { fastRetries, startHarness, TEST_SECRET, type Harness } from './support/harness.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function payment(h: Harness, paymentId: string): Promise<Payment> {
  return (await h.get(`/payments/${paymentId}`)).json as unknown as Payment;
}

async function settled(h: Harness, paymentId: string): Promise<Payment> {
  return eventually(`payment ${paymentId} to settle`, async () => {
    const p = await payment(h, paymentId);
    return p.status === 'decided' && p.webhooks.every((w) => w.delivered || w.abandoned) && p;
  });
}

t.test('an approved payment delivers created, authorized and captured in order, each correctly signed', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_SUCCESS_RATE: '1' } });
  const created = await h.post({ order_id: 'ord-1', amount: 19.99, currency: 'EUR' });
  t.equal(created.status, 202);
  t.match(created.json, { order_id: 'ord-1', status: 'pending', payment_id: /^pay_[0-9a-f]{24}$/ });

  const received = await eventually(
    'three webhooks',
    () => h.receiver.accepted().length === 3 && h.receiver.accepted(),
  );
  t.same(
    received.map((r) => r.event.type),
    ['payment.created', 'payment.authorized', 'payment.captured'],
  );
  for (const { raw, signature, contentType, event } of received) {
    const expected = `sha256=${createHmac('sha256', TEST_SECRET).update(raw).digest('hex')}`;
    t.equal(signature, expected, `${event.type} is signed over the exact body`);
    t.equal(contentType, 'application/json');
    t.same(Object.keys(event).sort(), ['amount', 'created_at', 'currency', 'event_id', 'order_id', 'type']);
    t.match(event, { order_id: 'ord-1', amount: 19.99, currency: 'EUR', event_id: UUID, created_at: ISO_MS });
  }
  const times = received.map((r) => Date.parse(r.event.created_at));
  t.ok(times[0]! < times[1]! && times[1]! < times[2]!, 'created_at strictly increases');

  const shown = await settled(h, created.json.payment_id as string);
  t.equal(shown.outcome, 'approved');
  t.same(
    shown.webhooks.map((w) => [w.type, w.attempts, w.delivered, w.last_status]),
    [
      ['payment.created', 1, true, 204],
      ['payment.authorized', 1, true, 204],
      ['payment.captured', 1, true, 204],
    ],
  );
  const actions = h.logLines.map((line) => line['event.action']);
  t.equal(actions.filter((a) => a === 'payment-decided').length, 1, 'one line for the decision');
  t.equal(actions.filter((a) => a === 'webhook-delivered').length, 3, 'one line per delivered webhook');
});

t.test('a success rate of 0 never answers and the payment shows no_answer', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_SUCCESS_RATE: '0', PAYMENT_DECLINE_RATE: '0' } });
  const created = await h.post({ order_id: 'ord-silent', amount: 5, currency: 'USD' });
  t.equal(created.status, 202);
  const shown = await settled(h, created.json.payment_id as string);
  t.equal(shown.outcome, 'no_answer');
  t.same(shown.events, []);
  t.same(shown.webhooks, [], 'no webhook is planned, so none can arrive later');
  t.equal(h.receiver.requests.length, 0);
});

t.test('a decline rate of 1 ends with payment.declined', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_SUCCESS_RATE: '0', PAYMENT_DECLINE_RATE: '1' } });
  const created = await h.post({ order_id: 'ord-declined', amount: 100, currency: 'GBP' });
  const shown = await settled(h, created.json.payment_id as string);
  t.equal(shown.outcome, 'declined');
  t.same(
    h.receiver.accepted().map((r) => r.event.type),
    ['payment.created', 'payment.authorized', 'payment.declined'],
  );
});

t.test('a repeated request returns 200 with the same payment and each event arrives once', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_SUCCESS_RATE: '1' } });
  const body = { order_id: 'ord-twice', amount: 42.5, currency: 'EUR' };
  const first = await h.post(body, { 'idempotency-key': 'ord-twice' });
  const second = await h.post(body, { 'idempotency-key': 'ord-twice' });
  const third = await h.post(body);
  t.equal(first.status, 202);
  t.equal(second.status, 200);
  t.equal(third.status, 200);
  t.equal(second.json.payment_id, first.json.payment_id);
  t.equal(third.json.payment_id, first.json.payment_id);

  await eventually('every webhook delivered', async () => {
    const stats = (await h.get('/stats')).json as unknown as SimulatorStats;
    return stats.webhooks.delivered === 3 && stats.webhooks.pending === 0;
  });
  // stop() waits for every run, so nothing can still be on its way after it.
  await h.stop();
  const ids = h.receiver.requests.map((r) => r.event.event_id);
  t.equal(ids.length, 3);
  t.equal(new Set(ids).size, 3);
});

t.test('a receiver answering 503 at first still gets every event through retries', async (t) => {
  const h = await startHarness(t, {
    env: { PAYMENT_SUCCESS_RATE: '1' },
    respond: (_event, attempt) => (attempt <= 2 ? 503 : 204),
    tweak: fastRetries,
  });
  const created = await h.post({ order_id: 'ord-unknown-yet', amount: 7.5, currency: 'EUR' });
  const shown = await settled(h, created.json.payment_id as string);
  t.same(
    h.receiver.accepted().map((r) => r.event.type),
    ['payment.created', 'payment.authorized', 'payment.captured'],
  );
  t.equal(h.receiver.requests.length, 9, 'two refusals and one success per event');
  t.same(
    shown.webhooks.map((w) => [w.attempts, w.delivered, w.last_status]),
    [
      [3, true, 204],
      [3, true, 204],
      [3, true, 204],
    ],
  );
});

t.test('a webhook never accepted is abandoned after the maximum attempts, with a warning', async (t) => {
  const h = await startHarness(t, {
    env: { PAYMENT_SUCCESS_RATE: '1', PAYMENT_WEBHOOK_MAX_ATTEMPTS: '3' },
    respond: () => 500,
    tweak: fastRetries,
  });
  const created = await h.post({ order_id: 'ord-broken-receiver', amount: 1, currency: 'EUR' });
  const shown = await settled(h, created.json.payment_id as string);
  t.same(
    shown.webhooks.map((w) => [w.attempts, w.delivered, w.abandoned, w.last_status]),
    [
      [3, false, true, 500],
      [3, false, true, 500],
      [3, false, true, 500],
    ],
  );
  const stats = (await h.get('/stats')).json as unknown as SimulatorStats;
  t.match(stats.webhooks, { total: 3, delivered: 0, abandoned: 3, pending: 0, attempts: 9 });
  const warnings = h.logLines.filter((line) => line['event.action'] === 'webhook-abandoned');
  t.equal(warnings.length, 3);
  t.equal(warnings[0]!['log.level'], 'warn');
});
