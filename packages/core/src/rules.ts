import { formatMinor } from './money.js';
import type { Handling, NewOrder, RuleFailure } from './order.js';

/** Limits of the business rules (SPEC §2), from configuration. */
export interface RuleLimits {
  /** MAX_ORDER_TOTAL in minor units (default 1_000_000 = 10000.00). */
  readonly maxTotalMinor: number;
  /** MAX_ITEMS (default 50). */
  readonly maxItems: number;
  /** RISK_REJECT_SCORE: a score at or above it rejects. */
  readonly riskRejectScore: number;
}

export const MAX_QUANTITY = 1_000;

/**
 * Every rule the order breaks (empty when it passes): total > 0 and ≤ the maximum, 1 to
 * MAX_ITEMS items, item prices (when every item has one) summing to the total to the
 * cent, whole quantities 1..1000, and a risk score below the reject score.
 */
export function checkRules(order: NewOrder, limits: RuleLimits, riskScore: number): RuleFailure[] {
  const failures: RuleFailure[] = [];
  if (order.total_minor <= 0) {
    failures.push({ rule: 'total_positive', message: `total ${formatMinor(order.total_minor)} must be above 0` });
  } else if (order.total_minor > limits.maxTotalMinor) {
    failures.push({
      rule: 'total_max',
      message: `total ${formatMinor(order.total_minor)} exceeds the maximum of ${formatMinor(limits.maxTotalMinor)}`,
    });
  }
  const count = order.items.length;
  if (count < 1 || count > limits.maxItems) {
    failures.push({ rule: 'item_count', message: `${count} items; an order has 1 to ${limits.maxItems}` });
  }
  const badQuantities = order.items.filter(
    (item) => !Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY,
  );
  if (badQuantities.length > 0) {
    failures.push({
      rule: 'quantity',
      message: `quantity must be a whole number from 1 to ${MAX_QUANTITY} (${badQuantities
        .map((item) => `${item.sku}: ${item.quantity}`)
        .join(', ')})`,
    });
  }
  let sumMinor = 0;
  let priced = count > 0;
  for (const item of order.items) {
    if (item.unit_price_minor === undefined) {
      priced = false;
      break;
    }
    sumMinor += item.unit_price_minor * item.quantity;
  }
  if (priced) {
    if (sumMinor !== order.total_minor) {
      failures.push({
        rule: 'price_sum',
        message: `item prices sum to ${formatMinor(Math.round(sumMinor))}, total is ${formatMinor(order.total_minor)}`,
      });
    }
  }
  if (riskScore >= limits.riskRejectScore) {
    failures.push({
      rule: 'risk',
      message: `risk score ${riskScore.toFixed(3)} is at or above ${limits.riskRejectScore}`,
    });
  }
  return failures;
}

/** `expedited` for priority 1, else `priority` above the threshold, else `standard`. */
export function decideHandling(order: NewOrder, priorityThresholdMinor: number): Handling {
  if (order.priority === 1) return 'expedited';
  if (order.total_minor > priorityThresholdMinor) return 'priority';
  return 'standard';
}
