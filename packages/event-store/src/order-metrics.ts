import { LANES, TERMINAL_STATUSES, isTerminal, type Order } from '@orderflow/core';
import type { Registry } from '@orderflow/platform';
import { Counter, Histogram } from 'prom-client';
import { processTimeOf } from './documents.js';

/** What the store reports of the orders it changes (SPEC §9). */
export interface OrderMetrics {
  /** An order was created (its seq 1 stored). */
  created(order: Order): void;
  /** An event was appended: `previous` is the order before it, `order` after. */
  changed(previous: Order, order: Order): void;
}

/**
 * `orderflow_orders_created_total` (lane), `orderflow_order_transitions_total` (from,
 * to; `from="none"` for the creation) and `orderflow_order_completion_seconds` (outcome:
 * the terminal status; seconds from creation to the event that ended the order), counted
 * by whichever service appended the event.
 */
export function createOrderMetrics(registry: Registry): OrderMetrics {
  const registers = [registry];
  const createdTotal = new Counter({
    name: 'orderflow_orders_created_total',
    help: 'Orders created (stored and accepted), by priority lane',
    labelNames: ['lane'] as const,
    registers,
  });
  const transitions = new Counter({
    name: 'orderflow_order_transitions_total',
    help: 'Order status changes, by status before (none for a new order) and after',
    labelNames: ['from', 'to'] as const,
    registers,
  });
  const completion = new Histogram({
    name: 'orderflow_order_completion_seconds',
    help: 'Time from an order being created to the event that ended it, by terminal status',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers,
  });
  // Series exist from the start, so rate() and alerts see 0 rather than nothing.
  for (const lane of LANES) createdTotal.inc({ lane }, 0);
  for (const outcome of TERMINAL_STATUSES) completion.zero({ outcome });

  return {
    created(order) {
      createdTotal.inc({ lane: order.lane });
      transitions.inc({ from: 'none', to: order.status });
    },
    changed(previous, order) {
      if (previous.status === order.status) return;
      transitions.inc({ from: previous.status, to: order.status });
      if (!isTerminal(order.status) || isTerminal(previous.status)) return;
      const ms = processTimeOf(order);
      if (ms !== undefined) completion.observe({ outcome: order.status }, ms / 1_000);
    },
  };
}
