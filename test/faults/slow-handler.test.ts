import t from 'tap';
import { faultScale } from './support/scale.js';
import { startSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
t.setTimeout(scale.fileTimeoutMs);

const ACK_WAIT_MS = 1_000;
/** Added to the payment request and to its answer: each payment call takes over twice the ack wait. */
const PROVIDER_LATENCY_MS = 1_200;

t.test('a handler slower than the ack wait signals progress: no message is redelivered', async (t) => {
  const system = await startSystem(t, {
    scenario: 'slow-handler',
    proxyPayments: true,
    env: { ACK_WAIT_MS: String(ACK_WAIT_MS), PAYMENT_TIMEOUT_MS: '15000' },
  });
  system.paymentProxy!.set({ latencyMs: PROVIDER_LATENCY_MS });
  const count = Math.ceil(scale.orders / 2);
  const load = system.load('slow', count, { concurrency: scale.concurrency, spreadOverMs: 5_000 });

  const report = await verifyScenario(t, system, [load], {
    settleTimeoutMs: scale.settleTimeoutMs,
    allFinal: true,
    statuses: ['completed'],
  });
  // A redelivery would repeat the payment request: the order has no provider event yet.
  const stats = await system.simulatorStats();
  t.comment(
    `payment calls: ${stats.payments.requests}, each ${2 * PROVIDER_LATENCY_MS} ms or more; ack wait ${ACK_WAIT_MS} ms`,
  );
  t.equal(stats.payments.total, report.accepted, 'one payment per order');
  t.equal(stats.payments.requests, report.accepted, 'one payment request per order: no message was redelivered');
});
