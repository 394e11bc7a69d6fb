import t from 'tap';
import {
  EMPTY_HISTORY,
  RISK_FEATURES,
  RiskModelError,
  parseRiskModel,
  riskFeatures,
  scoreRisk,
  type RiskOrderInput,
} from '@orderflow/core';

/** Uses a subset of the features, in another order than RISK_FEATURES, to exercise the mapping by name. */
function tinyModel(): Record<string, unknown> {
  return {
    format: 'orderflow-risk-ensemble',
    version: 1,
    features: ['customer_orders_24h', 'total'],
    base_score: -1,
    trees: [
      {
        nodes: [
          { feature: 0, threshold: 3, left: 1, right: 2 },
          { leaf: 0.5 },
          { feature: 1, threshold: 100, left: 3, right: 4 },
          { leaf: 1 },
          { leaf: 2 },
        ],
      },
      { nodes: [{ leaf: -0.25 }] },
    ],
    metadata: { note: 'hand-written' },
  };
}

function withNodes(nodes: unknown[]): Record<string, unknown> {
  return { ...tinyModel(), trees: [{ nodes }] };
}

function parseError(json: unknown): RiskModelError {
  try {
    parseRiskModel(json);
  } catch (error) {
    if (error instanceof RiskModelError) return error;
    throw error;
  }
  throw new Error('the model was accepted');
}

const sigmoid = (logOdds: number): number => 1 / (1 + Math.exp(-logOdds));

function featuresOf(values: Partial<Record<string, number>>): Float64Array {
  return Float64Array.from(RISK_FEATURES, (name) => values[name] ?? 0);
}

function byName(vector: Float64Array): Record<string, number> {
  return Object.fromEntries(RISK_FEATURES.map((name, i) => [name, vector[i]!]));
}

const order = (overrides: Partial<RiskOrderInput>): RiskOrderInput => ({
  total_minor: 4_990,
  items: [{ sku: 'a', quantity: 1, unit_price_minor: 4_990 }],
  priority: 2,
  has_address: true,
  has_email: true,
  ...overrides,
});

t.test('a hand-written model parses with its features, trees and metadata', async (t) => {
  const model = parseRiskModel(tinyModel());
  t.same(model.features, ['customer_orders_24h', 'total']);
  t.equal(model.treeCount, 2);
  t.equal(model.baseScore, -1);
  t.same(model.metadata, { note: 'hand-written' });
});

t.test('a value equal to the threshold goes left', async (t) => {
  const model = parseRiskModel(tinyModel());
  t.equal(scoreRisk(model, featuresOf({ customer_orders_24h: 3, total: 5_000 })), sigmoid(-1 + 0.5 - 0.25));
  t.equal(scoreRisk(model, featuresOf({ customer_orders_24h: 4, total: 100 })), sigmoid(-1 + 1 - 0.25));
});

t.test('a value above the threshold goes right', async (t) => {
  const model = parseRiskModel(tinyModel());
  t.equal(scoreRisk(model, featuresOf({ customer_orders_24h: 4, total: 100.01 })), sigmoid(-1 + 2 - 0.25));
});

t.test('features the model does not list do not change its score', async (t) => {
  const model = parseRiskModel(tinyModel());
  const plain = scoreRisk(model, featuresOf({ customer_orders_24h: 1 }));
  t.equal(scoreRisk(model, featuresOf({ customer_orders_24h: 1, item_count: 50, customer_rejected_7d: 9 })), plain);
});

t.test('a model without trees scores the logistic of its base score', async (t) => {
  const model = parseRiskModel({ ...tinyModel(), trees: [] });
  t.equal(scoreRisk(model, featuresOf({})), sigmoid(-1));
});

t.test('scoring a vector of the wrong length is a range error', async (t) => {
  const model = parseRiskModel(tinyModel());
  t.throws(() => scoreRisk(model, new Float64Array(3)), RangeError);
});

t.test('a model with a wrong format tag is rejected', async (t) => {
  const error = parseError({ ...tinyModel(), format: 'xgboost' });
  t.equal(error.path, 'format');
  t.equal(error.message, 'format: expected "orderflow-risk-ensemble", found "xgboost"');
  t.equal(error.code, 'ERR_RISK_MODEL');
});

t.test('a model of another version is rejected', async (t) => {
  t.match(parseError({ ...tinyModel(), version: 2 }).message, /^version: expected 1, found 2$/);
});

t.test('a document that is not an object is rejected', async (t) => {
  t.match(parseError([]).message, /^model: expected an object/);
});

t.test('a child index outside the tree is rejected', async (t) => {
  const error = parseError(withNodes([{ feature: 0, threshold: 1, left: 1, right: 9 }, { leaf: 0 }]));
  t.equal(error.message, 'trees[0].nodes[0]: right child 9 out of range (the tree has 2 nodes)');
});

t.test('a fractional child index is rejected', async (t) => {
  const error = parseError(withNodes([{ feature: 0, threshold: 1, left: 1.5, right: 1 }, { leaf: 0 }]));
  t.match(error.message, /^trees\[0\]\.nodes\[0\]: left child must be a whole number, found 1\.5/);
});

t.test('a child pointing back at the root is rejected as a cycle', async (t) => {
  const error = parseError(
    withNodes([
      { feature: 0, threshold: 1, left: 1, right: 2 },
      { leaf: 0 },
      { feature: 1, threshold: 1, left: 0, right: 1 },
    ]),
  );
  t.equal(error.message, 'trees[0].nodes[2]: child 0 is the root (cycle)');
});

t.test('a cycle away from the root is rejected', async (t) => {
  const error = parseError(
    withNodes([
      { feature: 0, threshold: 1, left: 1, right: 2 },
      { leaf: 0 },
      { leaf: 0 },
      { feature: 0, threshold: 1, left: 4, right: 5 },
      { feature: 0, threshold: 1, left: 3, right: 6 },
      { leaf: 0 },
      { leaf: 0 },
    ]),
  );
  t.equal(error.message, 'trees[0].nodes[3]: part of a cycle');
});

t.test('a node with two parents is rejected', async (t) => {
  const error = parseError(
    withNodes([
      { feature: 0, threshold: 1, left: 1, right: 2 },
      { feature: 0, threshold: 1, left: 3, right: 3 },
      { leaf: 0 },
      { leaf: 0 },
    ]),
  );
  t.equal(error.message, 'trees[0].nodes[1]: child 3 is already a child of nodes[1] (a tree node has one parent)');
});

t.test('a node the root cannot reach is rejected', async (t) => {
  const error = parseError(withNodes([{ leaf: 0 }, { leaf: 1 }]));
  t.equal(error.message, 'trees[0].nodes[1]: not reachable from the root (nodes[0])');
});

t.test('a tree without nodes is rejected for its missing root', async (t) => {
  const error = parseError({ ...tinyModel(), trees: [{ nodes: [{ leaf: 0 }] }, { nodes: [] }] });
  t.equal(error.message, 'trees[1].nodes: missing root (the tree has no nodes)');
});

t.test('a split on a feature index the model does not list is rejected', async (t) => {
  const error = parseError(withNodes([{ feature: 12, threshold: 1, left: 1, right: 2 }, { leaf: 0 }, { leaf: 0 }]));
  t.equal(error.message, 'trees[0].nodes[0]: feature 12 out of range (the model lists 2 features)');
});

t.test('an unknown feature name is rejected', async (t) => {
  const error = parseError({ ...tinyModel(), features: ['total', 'shoe_size'] });
  t.equal(error.path, 'features[1]');
  t.match(error.message, /^features\[1\]: unknown feature "shoe_size" \(known: total, item_count, /);
});

t.test('a feature listed twice is rejected', async (t) => {
  const error = parseError({ ...tinyModel(), features: ['total', 'total'] });
  t.equal(error.message, 'features[1]: "total" is already features[0]');
});

t.test('a leaf that is not a finite number is rejected', async (t) => {
  const error = parseError(withNodes([{ leaf: 'big' }]));
  t.equal(error.message, 'trees[0].nodes[0].leaf: expected a finite number, found "big"');
});

t.test('a node that is both a leaf and a split is rejected', async (t) => {
  const error = parseError(withNodes([{ leaf: 0, feature: 0, threshold: 1, left: 0, right: 0 }]));
  t.equal(error.message, 'trees[0].nodes[0]: a node is either a leaf or a split, not both');
});

t.test('a missing base score is rejected', async (t) => {
  const { base_score: _omitted, ...model } = tinyModel();
  t.equal(parseError(model).message, 'base_score: expected a finite number, found nothing');
});

t.test('features are in RISK_FEATURES order with money in major units', async (t) => {
  const items = [
    { sku: 'a', quantity: 2, unit_price_minor: 1_000 },
    { sku: 'b', quantity: 3, unit_price_minor: 3_990 },
    { sku: 'a', quantity: 1 },
  ];
  const vector = riskFeatures(order({ total_minor: 13_970, items, priority: 3, has_email: false }), {
    orders_24h: 4,
    spend_24h_minor: 3_000_000,
    rejected_7d: 5,
  });
  t.same(byName(vector), {
    total: 139.7,
    item_count: 3,
    total_quantity: 6,
    max_unit_price: 39.9,
    distinct_skus: 2,
    priority: 3,
    has_address: 1,
    has_email: 0,
    customer_orders_24h: 4,
    customer_spend_24h: 30_000,
    customer_rejected_7d: 5,
  });
});

t.test('the max unit price skips items without a price', async (t) => {
  const items = [
    { sku: 'a', quantity: 2, unit_price_minor: 1_250 },
    { sku: 'b', quantity: 1 },
    { sku: 'c', quantity: 3, unit_price_minor: 999 },
  ];
  const features = byName(riskFeatures(order({ items }), EMPTY_HISTORY));
  t.equal(features.max_unit_price, 12.5);
  t.equal(features.total_quantity, 6);
});

t.test('the max unit price is 0 when no item has a price', async (t) => {
  const features = byName(riskFeatures(order({ items: [{ sku: 'item1', quantity: 1 }] }), EMPTY_HISTORY));
  t.equal(features.max_unit_price, 0);
});

t.test('distinct skus count repeated lines once', async (t) => {
  const items = [
    { sku: 'a', quantity: 1 },
    { sku: 'b', quantity: 1 },
    { sku: 'a', quantity: 4 },
  ];
  const features = byName(riskFeatures(order({ items }), EMPTY_HISTORY));
  t.equal(features.item_count, 3);
  t.equal(features.distinct_skus, 2);
});

t.test('distinct skus are counted for very long orders too', async (t) => {
  const items = Array.from({ length: 500 }, (_, i) => ({ sku: `sku-${i % 7}`, quantity: 1 }));
  t.equal(byName(riskFeatures(order({ items }), EMPTY_HISTORY)).distinct_skus, 7);
});

t.test('a vector passed as out is filled and returned', async (t) => {
  const out = new Float64Array(RISK_FEATURES.length).fill(-1);
  const vector = riskFeatures(order({}), EMPTY_HISTORY, out);
  t.equal(vector, out);
  t.equal(byName(out).customer_orders_24h, 0);
});
