import t from 'tap';
import type { Payment } from '@orderflow/payment-simulator';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

const ORDER_IDS = Array.from({ length: 20 }, (_, i) => `ord-${i}`);

/** Requests every order (in the given order) and returns the decided payments by order id. */
async function decide(h: Harness, orderIds: readonly string[]): Promise<Map<string, Payment>> {
  const ids = new Map<string, string>();
  for (const orderId of orderIds) {
    const created = await h.post({ order_id: orderId, amount: 12.34, currency: 'EUR' });
    ids.set(orderId, created.json.payment_id as string);
  }
  const decided = new Map<string, Payment>();
  for (const [orderId, paymentId] of ids) {
    const payment = await eventually(`the decision for ${orderId}`, async () => {
      const shown = (await h.get(`/payments/${paymentId}`)).json as unknown as Payment;
      return shown.status === 'decided' && shown;
    });
    decided.set(orderId, payment);
  }
  return decided;
}

function fingerprint(payment: Payment) {
  return {
    payment_id: payment.payment_id,
    outcome: payment.outcome,
    events: payment.events.map((e) => [e.type, e.event_id]),
  };
}

t.test('the same seed and order ids give the same outcomes and event ids in two simulators', async (t) => {
  const env = { PAYMENT_SEED: '7', PAYMENT_SUCCESS_RATE: '0.5', PAYMENT_DECLINE_RATE: '0.25' };
  const first = await startHarness(t, { env });
  const second = await startHarness(t, { env });
  // Reverse arrival order: an order's outcome must not depend on what came before it.
  const [a, b] = await Promise.all([decide(first, ORDER_IDS), decide(second, [...ORDER_IDS].reverse())]);
  for (const orderId of ORDER_IDS) {
    t.same(fingerprint(b.get(orderId)!), fingerprint(a.get(orderId)!), orderId);
  }
  const outcomes = new Set([...a.values()].map((p) => p.outcome));
  t.ok(outcomes.size >= 2, `the rates produce a mix of outcomes (${[...outcomes].join(', ')})`);
});

t.test('a different seed may change outcomes and always changes event ids', async (t) => {
  const rates = { PAYMENT_SUCCESS_RATE: '0.5', PAYMENT_DECLINE_RATE: '0.5' };
  const one = await startHarness(t, { env: { ...rates, PAYMENT_SEED: '1' } });
  const two = await startHarness(t, { env: { ...rates, PAYMENT_SEED: '2' } });
  const [a, b] = await Promise.all([decide(one, ORDER_IDS), decide(two, ORDER_IDS)]);
  const changed = ORDER_IDS.filter((id) => a.get(id)!.outcome !== b.get(id)!.outcome);
  t.ok(changed.length > 0, `${changed.length} of ${ORDER_IDS.length} outcomes differ`);
  const idsOne = new Set([...a.values()].flatMap((p) => p.events.map((e) => e.event_id)));
  const idsTwo = [...b.values()].flatMap((p) => p.events.map((e) => e.event_id));
  t.ok(
    idsTwo.every((id) => !idsOne.has(id)),
    'no event id is shared between seeds',
  );
});
