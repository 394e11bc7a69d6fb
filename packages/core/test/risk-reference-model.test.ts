import { readFile } from 'node:fs/promises';
import t from 'tap';
import {
  EMPTY_HISTORY,
  RISK_FEATURES,
  parseRiskModel,
  riskFeatures,
  scoreRisk,
  type CustomerHistory,
  type RiskModel,
  type RiskOrderInput,
} from '@orderflow/core';
import { formatRiskModel, trainRiskModel } from '../../../scripts/train-risk-model.js';

const DEFAULT_REJECT_SCORE = 0.85;

async function referenceModel(): Promise<RiskModel> {
  const text = await readFile(new URL('../models/risk-model.json', import.meta.url), 'utf8');
  return parseRiskModel(JSON.parse(text));
}

const score = (model: RiskModel, order: RiskOrderInput, history: CustomerHistory): number =>
  scoreRisk(model, riskFeatures(order, history));

const ORDINARY: RiskOrderInput = {
  total_minor: 4_990,
  items: [
    { sku: 'book', quantity: 1, unit_price_minor: 2_990 },
    { sku: 'pen', quantity: 2, unit_price_minor: 1_000 },
  ],
  priority: 2,
  has_address: true,
  has_email: true,
};

const FIFTY_ITEMS_FOR_9000: RiskOrderInput = {
  ...ORDINARY,
  total_minor: 900_000,
  items: Array.from({ length: 50 }, (_, i) => ({ sku: `part-${i}`, quantity: 2, unit_price_minor: 9_000 })),
};

const BARE_SKUS: RiskOrderInput = {
  total_minor: 150_000,
  items: [
    { sku: 'item1', quantity: 1 },
    { sku: 'item2', quantity: 3 },
  ],
  priority: 1,
  has_address: false,
  has_email: false,
};

const FRAUDSTER: CustomerHistory = { orders_24h: 40, spend_24h_minor: 3_000_000, rejected_7d: 3 };

t.test('the reference model parses and uses the features RISK_FEATURES names', async (t) => {
  const model = await referenceModel();
  t.same(model.features, RISK_FEATURES);
  t.ok(model.treeCount > 0);
  t.type(model.metadata.holdout_auc, 'number');
  t.type(model.metadata.seed, 'number');
});

t.test('ordinary orders of new customers score well below 0.5', async (t) => {
  const model = await referenceModel();
  const baskets = [
    [{ sku: 'book', quantity: 1, unit_price_minor: 4_990 }],
    ORDINARY.items,
    [
      { sku: 'book', quantity: 1, unit_price_minor: 1_990 },
      { sku: 'pen', quantity: 2, unit_price_minor: 1_000 },
      { sku: 'card', quantity: 1, unit_price_minor: 1_000 },
    ],
  ];
  for (const items of baskets) {
    t.ok(score(model, { ...ORDINARY, items }, EMPTY_HISTORY) < 0.2, `49.90 in ${items.length} item(s)`);
  }
  t.ok(score(model, FIFTY_ITEMS_FOR_9000, EMPTY_HISTORY) < 0.2, '50 items for 9000');
  t.ok(score(model, BARE_SKUS, EMPTY_HISTORY) < 0.2, 'bare SKUs, no address or e-mail');
});

t.test('orders of customers with a small history are not rejected', async (t) => {
  const model = await referenceModel();
  const small: CustomerHistory = { orders_24h: 3, spend_24h_minor: 300_000, rejected_7d: 1 };
  for (const order of [ORDINARY, FIFTY_ITEMS_FOR_9000, BARE_SKUS]) {
    t.ok(score(model, order, small) < 0.5);
  }
  t.ok(score(model, { ...BARE_SKUS, total_minor: 1_000_000 }, small) < DEFAULT_REJECT_SCORE);
});

t.test('an order after several orders rejected by rules the same day is not rejected', async (t) => {
  const model = await referenceModel();
  const afterRejections = (rejected: number, perOrderMinor: number): CustomerHistory => ({
    orders_24h: rejected + 1,
    spend_24h_minor: (rejected + 1) * perOrderMinor,
    rejected_7d: rejected,
  });
  t.ok(score(model, ORDINARY, afterRejections(5, 4_990)) < 0.5);
  t.ok(score(model, { ...BARE_SKUS, total_minor: 9_999 }, afterRejections(3, 9_999)) < DEFAULT_REJECT_SCORE);
});

t.test('40 orders for 30000 in a day with 3 rejections score above 0.95', async (t) => {
  const model = await referenceModel();
  t.ok(score(model, ORDINARY, FRAUDSTER) > 0.95);
  t.ok(score(model, FIFTY_ITEMS_FOR_9000, FRAUDSTER) > 0.95);
});

t.test('the trainer gives the same model twice for the same seed', async (t) => {
  const options = { seed: 7, sampleCount: 1_500, treeCount: 8 };
  const first = formatRiskModel(trainRiskModel(options));
  const second = formatRiskModel(trainRiskModel(options));
  t.equal(first, second);
  t.equal(parseRiskModel(JSON.parse(first)).treeCount, 8);
});

t.test('the trainer gives another model for another seed', async (t) => {
  const options = { sampleCount: 1_500, treeCount: 8 };
  t.not(
    formatRiskModel(trainRiskModel({ ...options, seed: 7 })),
    formatRiskModel(trainRiskModel({ ...options, seed: 8 })),
  );
});
