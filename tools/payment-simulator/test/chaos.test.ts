import t from 'tap';
import type { Payment, SimulatorStats } from '@orderflow/payment-simulator';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

const IN_ORDER = ['payment.created', 'payment.authorized', 'payment.captured'];

/** Requests `count` approved payments and waits until every planned webhook is delivered. */
async function runPayments(h: Harness, count: number): Promise<string[]> {
  const paymentIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await h.post({ order_id: `ord-${i}`, amount: 9.99, currency: 'EUR' });
    paymentIds.push(created.json.payment_id as string);
  }
  await eventually('every webhook delivered', async () => {
    const stats = (await h.get('/stats')).json as unknown as SimulatorStats;
    return stats.payments.approved === count && stats.webhooks.pending === 0 && stats.webhooks.abandoned === 0;
  });
  return paymentIds;
}

t.test('chaos duplicate sends some events twice with the same id and the same bytes', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_SUCCESS_RATE: '1', PAYMENT_CHAOS: 'duplicate' } });
  await runPayments(h, 20);
  const byId = Map.groupBy(h.receiver.accepted(), (r) => r.event.event_id);
  t.equal(byId.size, 60, 'every event arrived');
  const repeated = [...byId.values()].filter((copies) => copies.length > 1);
  t.ok(repeated.length > 0, `${repeated.length} events arrived twice`);
  for (const [original, copy] of repeated) {
    t.ok(original!.raw.equals(copy!.raw), 'the duplicate has the same body');
    t.equal(copy!.signature, original!.signature);
  }
});

t.test('chaos shuffle delivers some payments out of order', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_SUCCESS_RATE: '1', PAYMENT_CHAOS: 'shuffle' } });
  await runPayments(h, 20);
  const byOrder = Map.groupBy(h.receiver.accepted(), (r) => r.event.order_id);
  t.equal(byOrder.size, 20);
  const shuffledOrders = [...byOrder.values()].filter(
    (arrivals) => arrivals.map((r) => r.event.type).join() !== IN_ORDER.join(),
  );
  t.ok(shuffledOrders.length > 0, `${shuffledOrders.length} payments arrived out of order`);
  for (const arrivals of byOrder.values()) {
    t.same(arrivals.map((r) => r.event.type).sort(), [...IN_ORDER].sort(), 'each event still arrives once');
  }
});

t.test('chaos late holds some events back but still delivers them', async (t) => {
  const h = await startHarness(t, {
    env: { PAYMENT_SUCCESS_RATE: '1', PAYMENT_CHAOS: 'late', PAYMENT_CHAOS_LATE_MS: '40' },
  });
  const paymentIds = await runPayments(h, 10);
  const delays: number[] = [];
  for (const id of paymentIds) {
    const payment = (await h.get(`/payments/${id}`)).json as unknown as Payment;
    delays.push(...payment.webhooks.map((w) => w.extra_delay_ms));
  }
  t.ok(
    delays.some((ms) => ms > 0),
    'some events were late',
  );
  t.ok(
    delays.every((ms) => ms >= 0 && ms <= 40),
    'never later than PAYMENT_CHAOS_LATE_MS',
  );
  t.equal(h.receiver.accepted().length, 30);
});

t.test('without chaos every payment arrives in order, exactly once', async (t) => {
  const h = await startHarness(t, { env: { PAYMENT_SUCCESS_RATE: '1' } });
  await runPayments(h, 20);
  const byOrder = Map.groupBy(h.receiver.accepted(), (r) => r.event.order_id);
  for (const [orderId, arrivals] of byOrder) {
    t.same(
      arrivals.map((r) => r.event.type),
      IN_ORDER,
      orderId,
    );
  }
});
