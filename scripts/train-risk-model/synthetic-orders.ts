/**
 * Labelled synthetic orders for training the reference risk model. Legitimate customers
 * mostly buy 1-10 items for 5-2000 and order a few times a day at most; fraud shows as
 * velocity, prior rejections, card testing or baskets of many expensive items with no
 * address. Every fraudulent basket is also ordered by some legitimate customers, so no
 * order of a new customer looks certain enough to reject: only history pushes scores
 * towards 1.
 */
import type { CustomerHistory, RiskOrderInput, RiskOrderItem } from '../../packages/core/src/risk/index.js';
import { chance, logBetween, mulberry32, weighted, wholeBetween, type Random } from './seeded-random.js';

const MAX_ORDER_TOTAL_MINOR = 1_000_000;
const FRAUD_SHARE = 0.15;
const UNUSUAL_BASKET_SHARE = 0.1;
const RESELLER_SHARE = 0.01;
/** No honest customer orders more often in a day; beyond it lies velocity fraud only. */
const BUSIEST_CUSTOMER_ORDERS_24H = 25;

const toMinor = (major: number): number => Math.max(1, Math.round(major * 100));

/** One generated order, its customer's history and whether it was fraud. */
export interface Sample {
  readonly order: RiskOrderInput;
  readonly history: CustomerHistory;
  readonly fraud: boolean;
}

interface BasketShape {
  readonly itemCount: number;
  readonly unitPriceMajor: () => number;
  readonly quantity: () => number;
  /** Size of the catalogue SKUs come from; small ones repeat SKUs across lines. */
  readonly catalogSize: number;
  readonly priced: boolean;
  /** Total of an unpriced basket (bare SKUs), in major units. */
  readonly unpricedTotalMajor: () => number;
}

function basket(random: Random, shape: BasketShape): Pick<RiskOrderInput, 'items' | 'total_minor'> {
  const items: RiskOrderItem[] = [];
  for (let i = 0; i < shape.itemCount; i++) {
    const sku = `sku-${wholeBetween(random, 1, shape.catalogSize)}`;
    const quantity = shape.quantity();
    items.push(shape.priced ? { sku, quantity, unit_price_minor: toMinor(shape.unitPriceMajor()) } : { sku, quantity });
  }
  if (!shape.priced) {
    return { items, total_minor: Math.min(MAX_ORDER_TOTAL_MINOR, toMinor(shape.unpricedTotalMajor())) };
  }
  const total = items.reduce((sum, item) => sum + item.quantity * item.unit_price_minor!, 0);
  if (total <= MAX_ORDER_TOTAL_MINOR) return { items, total_minor: total };
  // A rule rejects orders above MAX_ORDER_TOTAL anyway; keep the data where scores decide.
  const scale = MAX_ORDER_TOTAL_MINOR / total;
  const scaled = items.map((item) => ({
    ...item,
    unit_price_minor: Math.max(1, Math.floor(item.unit_price_minor! * scale)),
  }));
  return { items: scaled, total_minor: scaled.reduce((sum, item) => sum + item.quantity * item.unit_price_minor, 0) };
}

function ordinaryBasket(random: Random): BasketShape {
  const kind = weighted(random, [
    ['small', 0.88],
    ['bulk', 0.05],
    ['premium', 0.04],
    ['wholesale', 0.03],
  ] as const);
  const priced = chance(random, 0.8);
  switch (kind) {
    case 'small':
      return {
        // Geometric: most baskets hold one or two items, few reach ten.
        itemCount: Math.min(10, 1 + Math.floor(-Math.log(1 - random()) / 0.6)),
        unitPriceMajor: () => logBetween(random, 2, 400),
        quantity: () => (chance(random, 0.8) ? 1 : wholeBetween(random, 2, 5)),
        catalogSize: 5_000,
        priced,
        unpricedTotalMajor: () => logBetween(random, 5, 2_000),
      };
    case 'bulk':
      return {
        itemCount: wholeBetween(random, 10, 50),
        unitPriceMajor: () => logBetween(random, 2, 200),
        quantity: () => wholeBetween(random, 1, 4),
        catalogSize: 5_000,
        priced,
        unpricedTotalMajor: () => logBetween(random, 200, 10_000),
      };
    case 'premium':
      return {
        itemCount: wholeBetween(random, 1, 30),
        unitPriceMajor: () => logBetween(random, 200, 3_000),
        quantity: () => wholeBetween(random, 1, 2),
        catalogSize: 300,
        priced,
        unpricedTotalMajor: () => logBetween(random, 500, 10_000),
      };
    case 'wholesale':
      return {
        itemCount: wholeBetween(random, 1, 50),
        unitPriceMajor: () => logBetween(random, 0.05, 20),
        quantity: () => wholeBetween(random, 10, 1_000),
        catalogSize: 2_000,
        priced,
        unpricedTotalMajor: () => logBetween(random, 100, 10_000),
      };
  }
}

function ordinaryOrder(random: Random, noAddress = 0.15): RiskOrderInput {
  return {
    ...basket(random, ordinaryBasket(random)),
    priority: weighted(random, [
      [1, 0.1],
      [2, 0.6],
      [3, 0.3],
    ]),
    has_address: !chance(random, noAddress),
    has_email: chance(random, 0.8),
  };
}

function legitimateOrder(random: Random): RiskOrderInput {
  // Some customers order anything the rules allow, and some resell, exactly like the
  // fraudulent reshipping pattern: no basket alone makes a new customer's order certain fraud.
  return weighted(random, [
    [ordinaryOrder, 1 - UNUSUAL_BASKET_SHARE - RESELLER_SHARE],
    [anyValidOrder, UNUSUAL_BASKET_SHARE],
    [resellerOrder, RESELLER_SHARE],
  ])(random);
}

/** Many expensive items, often of the same few SKUs, mostly with no address to ship to. */
function resellerOrder(random: Random): RiskOrderInput {
  const order = basket(random, {
    itemCount: wholeBetween(random, 5, 50),
    unitPriceMajor: () => logBetween(random, 300, 2_500),
    quantity: () => wholeBetween(random, 1, 3),
    catalogSize: 40,
    priced: chance(random, 0.9),
    unpricedTotalMajor: () => logBetween(random, 3_000, 10_000),
  });
  return {
    ...order,
    priority: hastyPriority(random),
    has_address: chance(random, 0.15),
    has_email: chance(random, 0.7),
  };
}

/** A few items worth reselling, often rushed, often with no address. */
function valuableGoodsOrder(random: Random): RiskOrderInput {
  const order = basket(random, {
    itemCount: wholeBetween(random, 1, 8),
    unitPriceMajor: () => logBetween(random, 50, 1_500),
    quantity: () => wholeBetween(random, 1, 3),
    catalogSize: 500,
    priced: chance(random, 0.9),
    unpricedTotalMajor: () => logBetween(random, 100, 5_000),
  });
  return {
    ...order,
    priority: hastyPriority(random),
    has_address: chance(random, 0.5),
    has_email: chance(random, 0.7),
  };
}

/** Fraud asks for expedited handling more often than customers do. */
function hastyPriority(random: Random): RiskOrderInput['priority'] {
  return weighted(random, [
    [1, 0.3],
    [2, 0.5],
    [3, 0.2],
  ]);
}

/** History of `orders` earlier orders, each of a total drawn by `orderTotalMajor`. */
function history(orders: number, orderTotalMajor: () => number, rejected: number): CustomerHistory {
  let spend = 0;
  for (let i = 0; i < orders; i++) spend += toMinor(orderTotalMajor());
  return { orders_24h: orders, spend_24h_minor: spend, rejected_7d: rejected };
}

function legitimateSample(random: Random): Sample {
  const orders = weighted(random, [
    [0, 0.55],
    [1, 0.2],
    [2, 0.1],
    [3, 0.07],
    [wholeBetween(random, 4, 8), 0.06],
    // A few busy customers order all day: velocity alone is a matter of degree, not a verdict.
    [wholeBetween(random, 9, BUSIEST_CUSTOMER_ORDERS_24H), 0.02],
  ]);
  // Rules reject honest customers' orders too (a client sending wrong sums, totals over the
  // limit), so rejections alone rise the score gradually instead of past a cliff.
  const rejected = weighted(random, [
    [0, 0.9],
    [1, 0.05],
    [2, 0.025],
    [wholeBetween(random, 3, 6), 0.02],
    [wholeBetween(random, 7, 12), 0.005],
  ]);
  const bigSpender = chance(random, 0.05);
  // A customer whose order was rejected mostly tries again the same day.
  const retriedToday = rejected > 0 && chance(random, 0.7);
  return {
    order: legitimateOrder(random),
    history: history(
      retriedToday ? Math.min(BUSIEST_CUSTOMER_ORDERS_24H, orders + rejected) : orders,
      () => (bigSpender ? logBetween(random, 500, 10_000) : logBetween(random, 5, 1_500)),
      rejected,
    ),
    fraud: false,
  };
}

function fraudulentSample(random: Random): Sample {
  const pattern = weighted(random, [
    ['velocity', 0.4],
    ['reshipping', 0.25],
    ['repeat-offender', 0.15],
    ['card-testing', 0.1],
    ['lookalike', 0.1],
  ] as const);
  switch (pattern) {
    case 'velocity': {
      const orders = chance(random, 0.7) ? wholeBetween(random, 6, 25) : wholeBetween(random, 26, 80);
      const rejected = weighted(random, [
        [0, 0.4],
        [1, 0.3],
        [wholeBetween(random, 2, 6), 0.3],
      ]);
      // Half of them hide in ordinary baskets: the history is what gives velocity away.
      const order = chance(random, 0.5) ? ordinaryOrder(random, 0.5) : valuableGoodsOrder(random);
      return {
        order,
        history: history(orders, () => logBetween(random, 10, 2_500), rejected),
        fraud: true,
      };
    }
    case 'reshipping': {
      // A first strike comes from a new customer; later ones carry a history beyond a small one.
      const firstStrike = chance(random, 0.1);
      const orders = firstStrike ? 0 : wholeBetween(random, 4, 12);
      const rejected = firstStrike
        ? 0
        : weighted(random, [
            [0, 0.4],
            [1, 0.3],
            [wholeBetween(random, 2, 4), 0.3],
          ]);
      return {
        order: resellerOrder(random),
        history: history(orders, () => logBetween(random, 500, 8_000), rejected),
        fraud: true,
      };
    }
    case 'repeat-offender':
      return {
        order: ordinaryOrder(random, 0.4),
        history: history(wholeBetween(random, 3, 15), () => logBetween(random, 20, 2_000), wholeBetween(random, 2, 10)),
        fraud: true,
      };
    case 'card-testing': {
      const order = basket(random, {
        itemCount: 1,
        unitPriceMajor: () => logBetween(random, 1, 30),
        quantity: () => 1,
        catalogSize: 50,
        priced: chance(random, 0.8),
        unpricedTotalMajor: () => logBetween(random, 1, 30),
      });
      return {
        order: {
          ...order,
          priority: hastyPriority(random),
          has_address: chance(random, 0.3),
          has_email: chance(random, 0.5),
        },
        history: history(wholeBetween(random, 10, 80), () => logBetween(random, 1, 30), wholeBetween(random, 0, 3)),
        fraud: true,
      };
    }
    case 'lookalike':
      return { ...legitimateSample(random), fraud: true };
  }
}

/** `count` labelled samples; the same seed always gives the same samples. */
export function generateSamples(seed: number, count: number): Sample[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () =>
    chance(random, FRAUD_SHARE) ? fraudulentSample(random) : legitimateSample(random),
  );
}

/** Any order the business rules let through (SPEC §2), with no regard to how likely it is. */
export function anyValidOrder(random: Random): RiskOrderInput {
  const itemCount = wholeBetween(random, 1, 50);
  const priced = chance(random, 0.5);
  const maxLineMinor = Math.floor(MAX_ORDER_TOTAL_MINOR / itemCount);
  const items: RiskOrderItem[] = Array.from({ length: itemCount }, () => {
    const quantity = chance(random, 0.8) ? wholeBetween(random, 1, 5) : wholeBetween(random, 1, 1_000);
    const sku = `sku-${wholeBetween(random, 1, chance(random, 0.5) ? 5 : 5_000)}`;
    if (!priced) return { sku, quantity };
    const unitPriceMinor = Math.max(
      1,
      Math.floor(Math.min(logBetween(random, 1, MAX_ORDER_TOTAL_MINOR), maxLineMinor / quantity)),
    );
    return { sku, quantity, unit_price_minor: unitPriceMinor };
  });
  const total = priced
    ? items.reduce((sum, item) => sum + item.quantity * item.unit_price_minor!, 0)
    : Math.round(logBetween(random, 1, MAX_ORDER_TOTAL_MINOR));
  return {
    total_minor: total,
    items,
    priority: wholeBetween(random, 1, 3) as 1 | 2 | 3,
    has_address: chance(random, 0.5),
    has_email: chance(random, 0.5),
  };
}
