/** Order-side input (money in integer minor units, e.g. cents). */
export interface RiskOrderInput {
  readonly total_minor: number;
  readonly items: readonly RiskOrderItem[];
  readonly priority: 1 | 2 | 3;
  readonly has_address: boolean;
  readonly has_email: boolean;
}

/** One line of an order as the risk features see it; the price is optional (bare SKUs). */
export interface RiskOrderItem {
  readonly quantity: number;
  readonly unit_price_minor?: number | undefined;
  readonly sku: string;
}

/** The customer's recent history, computed by the caller from stored orders. */
export interface CustomerHistory {
  /** Orders the customer created in the last 24 h, not counting this one. */
  readonly orders_24h: number;
  /** The total of those orders, in minor units. */
  readonly spend_24h_minor: number;
  /** The customer's orders rejected in the last 7 days. */
  readonly rejected_7d: number;
}

/** The history of a customer never seen before. */
export const EMPTY_HISTORY: CustomerHistory = Object.freeze({ orders_24h: 0, spend_24h_minor: 0, rejected_7d: 0 });

/**
 * The features a risk model may use, in the order of the vector `riskFeatures` returns.
 * Money features are in major units (e.g. 49.90), so model thresholds read naturally.
 */
export const RISK_FEATURES: readonly string[] = Object.freeze([
  'total',
  'item_count',
  'total_quantity',
  'max_unit_price',
  'distinct_skus',
  'priority',
  'has_address',
  'has_email',
  'customer_orders_24h',
  'customer_spend_24h',
  'customer_rejected_7d',
]);

const MINOR_UNITS_PER_MAJOR = 100;

// Up to about this many items, comparing SKUs pairwise is faster than filling a Set and
// allocates nothing; beyond it the quadratic cost wins (measured: 50 items 3.6 µs vs 1 µs).
const PAIRWISE_DISTINCT_MAX_ITEMS = 16;

/**
 * The feature vector of an order and its customer's history, in `RISK_FEATURES` order.
 * Items without a price do not count towards `max_unit_price` (0 when none is priced).
 * Pass `out` to reuse a vector across orders of a batch.
 */
export function riskFeatures(
  order: RiskOrderInput,
  history: CustomerHistory,
  out: Float64Array = new Float64Array(RISK_FEATURES.length),
): Float64Array {
  const items = order.items;
  let totalQuantity = 0;
  let maxUnitPriceMinor = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    totalQuantity += item.quantity;
    const price = item.unit_price_minor;
    if (price !== undefined && price > maxUnitPriceMinor) maxUnitPriceMinor = price;
  }
  out[0] = order.total_minor / MINOR_UNITS_PER_MAJOR;
  out[1] = items.length;
  out[2] = totalQuantity;
  out[3] = maxUnitPriceMinor / MINOR_UNITS_PER_MAJOR;
  out[4] = countDistinctSkus(items);
  out[5] = order.priority;
  out[6] = order.has_address ? 1 : 0;
  out[7] = order.has_email ? 1 : 0;
  out[8] = history.orders_24h;
  out[9] = history.spend_24h_minor / MINOR_UNITS_PER_MAJOR;
  out[10] = history.rejected_7d;
  return out;
}

function countDistinctSkus(items: readonly RiskOrderItem[]): number {
  if (items.length > PAIRWISE_DISTINCT_MAX_ITEMS) return new Set(items.map((item) => item.sku)).size;
  let distinct = 0;
  for (let i = 0; i < items.length; i++) {
    const sku = items[i]!.sku;
    let seenBefore = false;
    for (let j = 0; j < i && !seenBefore; j++) seenBefore = items[j]!.sku === sku;
    if (!seenBefore) distinct++;
  }
  return distinct;
}
