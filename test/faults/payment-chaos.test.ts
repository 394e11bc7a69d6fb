import t from 'tap';
import { faultScale } from './support/scale.js';
import { startSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
t.setTimeout(scale.fileTimeoutMs);

/** What the provider's decision must settle an order to. */
const SETTLES_TO: Readonly<Record<string, string>> = { approved: 'completed', declined: 'failed' };

t.test(
  'shuffled, duplicated and late webhooks: each order settles as the provider decided, exactly once',
  async (t) => {
    const system = await startSystem(t, {
      scenario: 'payment-chaos',
      env: {
        PAYMENT_CHAOS: 'all',
        PAYMENT_CHAOS_LATE_MS: '2000',
        PAYMENT_SUCCESS_RATE: '0.6',
        PAYMENT_DECLINE_RATE: '0.4',
      },
    });
    const load = system.load('chaos', scale.orders, { concurrency: scale.concurrency, spreadOverMs: 6_000 });

    await verifyScenario(t, system, [load], {
      settleTimeoutMs: scale.settleTimeoutMs,
      allFinal: true,
      statuses: ['completed', 'failed'],
    });

    const orders = await system.db
      .collection<{ _id: string; status: string }>('orders')
      .find({ _id: { $in: load.accepted } }, { projection: { status: 1 } })
      .toArray();
    const wrong = orders
      .filter((order) => SETTLES_TO[system.decisions.get(order._id) ?? ''] !== order.status)
      .map(
        (order) =>
          `${order._id}: provider ${system.decisions.get(order._id) ?? 'never decided'}, order ${order.status}`,
      );
    t.same(wrong, [], 'approved payments completed, declined ones failed');
    const decided = [...system.decisions.values()];
    t.ok(
      decided.includes('approved') && decided.includes('declined'),
      'the provider approved some and declined others',
    );

    const stats = await system.simulatorStats();
    t.equal(stats.webhooks.abandoned, 0, 'no webhook abandoned');
    t.ok(
      stats.webhooks.total > 3 * stats.payments.total,
      `webhooks were duplicated (${stats.webhooks.total} for ${stats.payments.total} payments of 3 events)`,
    );
  },
);
