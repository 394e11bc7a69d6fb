/**
 * What the reference model must get right whatever its holdout metrics say: orders of
 * customers with no or little history are never rejected at the default reject score
 * (0.85), and plainly fraudulent histories are.
 */
import {
  EMPTY_HISTORY,
  RISK_FEATURES,
  riskFeatures,
  scoreRisk,
  type CustomerHistory,
  type RiskModel,
  type RiskOrderInput,
} from '../../packages/core/src/risk/index.js';
import { logBetween, mulberry32, wholeBetween, type Random } from './seeded-random.js';
import { anyValidOrder } from './synthetic-orders.js';

/** A fixed order and history with the side of `limit` its score must fall on. */
export interface CalibrationProbe {
  readonly name: string;
  readonly order: RiskOrderInput;
  readonly history: CustomerHistory;
  readonly expect: 'below' | 'above';
  readonly limit: number;
}

const ORDINARY_ORDER: RiskOrderInput = {
  total_minor: 4_990,
  items: [
    { sku: 'book-1', quantity: 1, unit_price_minor: 2_990 },
    { sku: 'pen-2', quantity: 2, unit_price_minor: 1_000 },
  ],
  priority: 2,
  has_address: true,
  has_email: true,
};

const BULK_ORDER: RiskOrderInput = {
  total_minor: 900_000,
  items: Array.from({ length: 50 }, (_, i) => ({ sku: `part-${i}`, quantity: 1, unit_price_minor: 18_000 })),
  priority: 2,
  has_address: true,
  has_email: true,
};

const BARE_SKU_ORDER: RiskOrderInput = {
  total_minor: 9_999,
  items: [{ sku: 'item1', quantity: 1 }],
  priority: 3,
  has_address: false,
  has_email: false,
};

/** The probes every reference model is checked against before it is written. */
export const CALIBRATION_PROBES: readonly CalibrationProbe[] = [
  { name: 'ordinary order, new customer', order: ORDINARY_ORDER, history: EMPTY_HISTORY, expect: 'below', limit: 0.1 },
  { name: '50 items for 9000, new customer', order: BULK_ORDER, history: EMPTY_HISTORY, expect: 'below', limit: 0.2 },
  {
    name: 'bare SKU, no address or e-mail',
    order: BARE_SKU_ORDER,
    history: EMPTY_HISTORY,
    expect: 'below',
    limit: 0.2,
  },
  {
    name: 'ordinary order, 3 orders and 1 rejection before',
    order: ORDINARY_ORDER,
    history: { orders_24h: 3, spend_24h_minor: 60_000, rejected_7d: 1 },
    expect: 'below',
    limit: 0.5,
  },
  {
    name: 'ordinary order after 5 rejected ones today',
    order: ORDINARY_ORDER,
    history: { orders_24h: 6, spend_24h_minor: 6 * 4_990, rejected_7d: 5 },
    expect: 'below',
    limit: 0.5,
  },
  {
    name: 'bare SKU after 3 rejected ones today',
    order: BARE_SKU_ORDER,
    history: { orders_24h: 4, spend_24h_minor: 4 * 9_999, rejected_7d: 3 },
    expect: 'below',
    limit: 0.7,
  },
  {
    name: '40 orders for 30000 and 3 rejections',
    order: ORDINARY_ORDER,
    history: { orders_24h: 40, spend_24h_minor: 3_000_000, rejected_7d: 3 },
    expect: 'above',
    limit: 0.95,
  },
  {
    name: 'card testing: 60 small orders',
    order: { ...BARE_SKU_ORDER, total_minor: 300, items: [{ sku: 'gift-1', quantity: 1, unit_price_minor: 300 }] },
    history: { orders_24h: 60, spend_24h_minor: 30_000, rejected_7d: 1 },
    expect: 'above',
    limit: 0.95,
  },
];

/** One calibration check of a model: the score found and whether it is on the right side of `limit`. */
export interface CalibrationResult {
  readonly name: string;
  readonly score: number;
  readonly expect: 'below' | 'above';
  readonly limit: number;
  readonly ok: boolean;
}

/** Random valid orders tried when looking for the worst score a small history can get. */
const WORST_CASE_TRIES = 50_000;
const WORST_CASE_SEED = 1;
/** The highest score an order of a customer with little history may get: far from the reject score. */
const SMALL_HISTORY_MAX_SCORE = 0.7;

/** The probes, then the worst scores of random valid orders with no history and with a small one. */
export function checkCalibration(model: RiskModel): CalibrationResult[] {
  const probes = CALIBRATION_PROBES.map(({ name, order, history, expect, limit }) => {
    const score = scoreRisk(model, riskFeatures(order, history));
    return { name, score, expect, limit, ok: expect === 'below' ? score < limit : score > limit };
  });
  const worstCases = (
    [
      [`worst of ${WORST_CASE_TRIES} valid orders, no history`, () => EMPTY_HISTORY],
      [`worst of ${WORST_CASE_TRIES} valid orders, small history`, smallHistory],
    ] as const
  ).map(([name, history]) => {
    const { score } = worstScore(model, WORST_CASE_SEED, WORST_CASE_TRIES, history);
    return {
      name,
      score,
      expect: 'below' as const,
      limit: SMALL_HISTORY_MAX_SCORE,
      ok: score < SMALL_HISTORY_MAX_SCORE,
    };
  });
  return [...probes, ...worstCases];
}

/** The highest score any of `tries` random valid orders gets with a history from `history`. */
export function worstScore(
  model: RiskModel,
  seed: number,
  tries: number,
  history: (random: Random) => CustomerHistory,
): { readonly score: number; readonly order: RiskOrderInput; readonly history: CustomerHistory } {
  const random = mulberry32(seed);
  const features = new Float64Array(RISK_FEATURES.length);
  let worst = { score: -1, order: ORDINARY_ORDER, history: EMPTY_HISTORY };
  for (let i = 0; i < tries; i++) {
    const order = anyValidOrder(random);
    const customer = history(random);
    const score = scoreRisk(model, riskFeatures(order, customer, features));
    if (score > worst.score) worst = { score, order, history: customer };
  }
  return worst;
}

/** Histories the integration tests' customers can have: a few recent orders, at most one rejection. */
export function smallHistory(random: Random): CustomerHistory {
  const orders = wholeBetween(random, 0, 3);
  return {
    orders_24h: orders,
    spend_24h_minor: orders * Math.round(logBetween(random, 100, 200_000)),
    rejected_7d: wholeBetween(random, 0, 1),
  };
}
