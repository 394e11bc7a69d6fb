import t from 'tap';
import type { SimulatorStats } from '@orderflow/payment-simulator';
import { eventually } from './support/eventually.js';
import { startHarness } from './support/harness.js';

t.test('bad bodies are refused with 400 and an error message', async (t) => {
  const h = await startHarness(t);
  const valid = { order_id: 'ord-1', amount: 10, currency: 'EUR' };
  const cases: [string, unknown, Record<string, string>?][] = [
    ['malformed JSON', '{"order_id":'],
    ['an array', [valid]],
    ['a missing order_id', { amount: 10, currency: 'EUR' }],
    ['an empty order_id', { ...valid, order_id: '' }],
    ['an amount given as text', { ...valid, amount: '10.00' }],
    ['a negative amount', { ...valid, amount: -1 }],
    ['an amount with three decimals', { ...valid, amount: 1.005 }],
    ['a lower-case currency', { ...valid, currency: 'eur' }],
    ['a four-letter currency', { ...valid, currency: 'EURO' }],
    ['an Idempotency-Key other than the order id', valid, { 'idempotency-key': 'something-else' }],
  ];
  for (const [what, body, headers] of cases) {
    const response = await h.post(body, headers);
    t.equal(response.status, 400, `${what} is refused`);
    t.equal(response.json.error, 'bad_request', what);
    t.type(response.json.message, 'string', what);
  }
  const stats = (await h.get('/stats')).json as unknown as SimulatorStats;
  t.equal(stats.payments.total, 0, 'no payment was created');
});

t.test('a repeat with a different amount or currency is a 409 conflict', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_DELAY_MS: '60000' } });
  t.equal((await h.post({ order_id: 'ord-1', amount: 10, currency: 'EUR' })).status, 202);
  const otherAmount = await h.post({ order_id: 'ord-1', amount: 11, currency: 'EUR' });
  t.equal(otherAmount.status, 409);
  t.equal(otherAmount.json.error, 'idempotency_conflict');
  t.equal((await h.post({ order_id: 'ord-1', amount: 10, currency: 'USD' })).status, 409);
  t.equal((await h.post({ order_id: 'ord-1', amount: 10.0, currency: 'EUR' })).status, 200);
});

t.test('health, stats and unknown payments answer as documented', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_DELAY_MS: '60000' } });
  t.same((await h.get('/health')).json, { status: 'ok' });
  const missing = await h.get('/payments/pay_nope');
  t.equal(missing.status, 404);
  t.equal(missing.json.error, 'not_found');

  const created = await h.post({ order_id: 'ord-waiting', amount: 3.1, currency: 'EUR' });
  t.equal((await h.post({ order_id: 'ord-waiting', amount: 3.1, currency: 'EUR' })).status, 200, 'a repeat');
  const shown = await h.get(`/payments/${created.json.payment_id as string}`);
  t.match(shown.json, { status: 'pending', outcome: null, order_id: 'ord-waiting', amount: 3.1, currency: 'EUR' });
  t.same((await h.get('/stats')).json, {
    payments: { requests: 2, total: 1, pending: 1, approved: 0, declined: 0, no_answer: 0 },
    webhooks: { total: 0, delivered: 0, pending: 0, abandoned: 0, attempts: 0 },
  });
});

t.test('stop cancels a pending decision promptly', async (t) => {
  const h = await startHarness(t, {
    env: { PAYMENT_SUCCESS_RATE: '1', PAYMENT_DELAY_MS: '60000' },
    respond: () => 503,
  });
  await h.post({ order_id: 'ord-waiting', amount: 1, currency: 'EUR' });
  const started = Date.now();
  await h.stop();
  t.ok(Date.now() - started < 2_000, `stopped in ${Date.now() - started} ms`);
});

t.test('stop cancels a webhook waiting between retries promptly', async (t) => {
  const h = await startHarness(t, {
    env: { PAYMENT_SUCCESS_RATE: '1' },
    respond: () => 503,
    tweak: (config) => ({ ...config, webhook: { ...config.webhook, retryBaseMs: 60_000, retryMaxMs: 60_000 } }),
  });
  await h.post({ order_id: 'ord-retrying', amount: 1, currency: 'EUR' });
  await eventually('the first refused attempt', () => h.receiver.requests.length === 1);
  const started = Date.now();
  await h.stop();
  t.ok(Date.now() - started < 2_000, `stopped in ${Date.now() - started} ms`);
});
