import t from 'tap';
import { checkRules, decideHandling, type RuleLimits } from '@orderflow/core';
import { newOrder } from './fixtures.js';

const limits: RuleLimits = { maxTotalMinor: 1_000_000, maxItems: 50, riskRejectScore: 0.85 };
const rulesOf = (failures: { rule: string }[]) => failures.map((f) => f.rule);
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `sku-${i}`, quantity: 1 }));

t.test('an ordinary order passes every rule', async (t) => {
  t.same(checkRules(newOrder(), limits, 0.1), []);
});

t.test('a total of exactly 10000.00 passes and 10000.01 fails', async (t) => {
  t.same(checkRules(newOrder({ total_minor: 1_000_000 }), limits, 0), []);
  const failures = checkRules(newOrder({ total_minor: 1_000_001 }), limits, 0);
  t.same(rulesOf(failures), ['total_max']);
  t.match(failures[0]?.message, /10000\.01 exceeds the maximum of 10000\.00/);
});

t.test('a total of 0.00 or below fails and 0.01 passes', async (t) => {
  t.same(rulesOf(checkRules(newOrder({ total_minor: 0 }), limits, 0)), ['total_positive']);
  t.same(rulesOf(checkRules(newOrder({ total_minor: -100 }), limits, 0)), ['total_positive']);
  t.same(checkRules(newOrder({ total_minor: 1 }), limits, 0), []);
});

t.test('50 items pass and 51 fail', async (t) => {
  t.same(checkRules(newOrder({ items: items(50) }), limits, 0), []);
  t.same(rulesOf(checkRules(newOrder({ items: items(51) }), limits, 0)), ['item_count']);
});

t.test('an order without items fails', async (t) => {
  t.same(rulesOf(checkRules(newOrder({ items: [] }), limits, 0)), ['item_count']);
});

t.test('item prices must sum to the total to the cent', async (t) => {
  const priced = [
    { sku: 'a', quantity: 2, unit_price_minor: 1_000 },
    { sku: 'b', quantity: 1, unit_price_minor: 2_990 },
  ];
  t.same(checkRules(newOrder({ items: priced, total_minor: 4_990 }), limits, 0), []);
  const offByOne = checkRules(newOrder({ items: priced, total_minor: 4_991 }), limits, 0);
  t.same(rulesOf(offByOne), ['price_sum']);
  t.match(offByOne[0]?.message, /sum to 49\.90, total is 49\.91/);
  t.same(rulesOf(checkRules(newOrder({ items: priced, total_minor: 4_989 }), limits, 0)), ['price_sum']);
});

t.test('prices are checked only when every item carries one', async (t) => {
  const partly = [
    { sku: 'a', quantity: 1, unit_price_minor: 100 },
    { sku: 'b', quantity: 1 },
  ];
  t.same(checkRules(newOrder({ items: partly, total_minor: 4_990 }), limits, 0), []);
});

t.test('quantities 1 and 1000 pass; 0, 1001 and fractions fail', async (t) => {
  t.same(checkRules(newOrder({ items: [{ sku: 'a', quantity: 1 }] }), limits, 0), []);
  t.same(checkRules(newOrder({ items: [{ sku: 'a', quantity: 1_000 }] }), limits, 0), []);
  for (const quantity of [0, 1_001, 1.5, -1]) {
    t.same(rulesOf(checkRules(newOrder({ items: [{ sku: 'a', quantity }] }), limits, 0)), ['quantity'], `${quantity}`);
  }
});

t.test('a risk score just below the reject score passes, at it fails', async (t) => {
  t.same(checkRules(newOrder(), limits, 0.8499), []);
  t.same(rulesOf(checkRules(newOrder(), limits, 0.85)), ['risk']);
});

t.test('every failed rule is listed', async (t) => {
  const order = newOrder({ total_minor: -100, items: [{ sku: 'a', quantity: 0, unit_price_minor: 5 }] });
  t.same(rulesOf(checkRules(order, limits, 0.99)), ['total_positive', 'quantity', 'price_sum', 'risk']);
});

t.test('handling: priority 1 is expedited whatever the total', async (t) => {
  t.equal(decideHandling(newOrder({ priority: 1, total_minor: 100 }), 100_000), 'expedited');
});

t.test('handling: above the threshold is priority, at it standard', async (t) => {
  t.equal(decideHandling(newOrder({ total_minor: 100_001 }), 100_000), 'priority');
  t.equal(decideHandling(newOrder({ total_minor: 100_000 }), 100_000), 'standard');
  t.equal(decideHandling(newOrder({ priority: 3, total_minor: 200_000 }), 100_000), 'priority');
});
