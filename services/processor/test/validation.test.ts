import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import t from 'tap';
import { EMPTY_HISTORY, type NewOrder } from '@orderflow/core';
import { defaultRiskModelPath } from '../src/config.js';
import { prepareSettings, validateOrders, type ValidationSettings } from '../src/validation/validate-orders.js';
import { createValidator } from '../src/validation/validator.js';

const settings: ValidationSettings = {
  riskModel: JSON.parse(await readFile(defaultRiskModelPath(), 'utf8')),
  limits: { maxTotalMinor: 1_000_000, maxItems: 50, riskRejectScore: 0.85 },
  priorityThresholdMinor: 100_000,
};

function order(i: number, overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id: `o-${i}`,
    customer_id: `c-${i}`,
    items: [{ sku: 'a', quantity: 1, unit_price_minor: 4_990 }],
    total_minor: 4_990,
    currency: 'USD',
    priority: 2,
    lane: 'normal',
    created_by: 'c',
    ...overrides,
  };
}

/** 50 priced items: the largest order the rules allow. */
function largeOrder(i: number): NewOrder {
  const items = Array.from({ length: 50 }, (_, k) => ({
    sku: `sku-${k}`,
    name: `Item ${k}`,
    quantity: 2,
    unit_price_minor: 1_000,
  }));
  return order(i, {
    items,
    total_minor: 100_000,
    address: { line1: '1 Main St', city: 'X' },
    customer_email: 'a@b.co',
  });
}

t.test('validating a batch applies the rules, the risk model and the handling', async (t) => {
  const prepared = prepareSettings(settings);
  const [valid, tooBig, expedited] = validateOrders(
    [
      { order: order(1), history: EMPTY_HISTORY },
      { order: order(2, { total_minor: 1_000_001, items: [{ sku: 'a', quantity: 1 }] }), history: EMPTY_HISTORY },
      { order: order(3, { priority: 1, lane: 'high' }), history: EMPTY_HISTORY },
    ],
    prepared,
  );
  t.same(valid?.failures, []);
  t.equal(valid?.handling, 'standard');
  t.ok(valid!.risk_score < 0.5, `ordinary order scores low (${valid?.risk_score})`);
  t.same(
    tooBig?.failures.map((f) => f.rule),
    ['total_max'],
  );
  t.equal(tooBig?.handling, 'priority');
  t.equal(expedited?.handling, 'expedited');
});

t.test('a fraudulent history is rejected by the risk rule', async (t) => {
  const [result] = validateOrders(
    [{ order: order(4), history: { orders_24h: 40, spend_24h_minor: 3_000_000, rejected_7d: 3 } }],
    prepareSettings(settings),
  );
  t.same(
    result?.failures.map((f) => f.rule),
    ['risk'],
  );
});

t.test('the pool validates off the event loop, batching orders that arrive together', async (t) => {
  const validator = createValidator({ threads: 1, batchMax: 16, settings });
  t.teardown(() => validator.close());
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => validator.validate({ order: order(i), history: EMPTY_HISTORY })),
  );
  t.equal(results.length, 40);
  t.ok(results.every((r) => r.failures.length === 0));
  t.ok(validator.threadsUsed.size >= 1);
  t.notOk(validator.threadsUsed.has(threadId), 'never on the main thread');
  t.ok(validator.pool.completed <= 5, `40 orders took ${validator.pool.completed} pool tasks`);
});

t.test('the event loop stays responsive while the pool validates a burst of large orders', async (t) => {
  const validator = createValidator({ threads: 1, batchMax: 32, settings });
  t.teardown(() => validator.close());
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const burst = Array.from({ length: 2_000 }, (_, i) =>
    validator.validate({ order: largeOrder(i), history: EMPTY_HISTORY }),
  );
  const results = await Promise.all(burst);
  delay.disable();
  t.equal(results.length, 2_000);
  t.ok(
    results.every((r) => r.failures.length === 0),
    'large valid orders pass',
  );
  const maxMs = delay.max / 1e6;
  const p99Ms = delay.percentile(99) / 1e6;
  t.comment(`event-loop delay during the burst: p99 ${p99Ms.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms`);
  t.notOk(validator.threadsUsed.has(threadId), 'validation ran on pool threads only');
  t.ok(maxMs < 1_000, 'no stall of a second or more');
});
