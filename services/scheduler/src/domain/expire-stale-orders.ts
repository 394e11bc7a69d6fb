import { decideExpire } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import type { Db, Logger } from '@orderflow/platform';
import { findStaleOrders } from '../data-access/due-orders.js';
import { decideDueOrders, type DueOrdersReport } from './decide-due-orders.js';

export interface ExpiryDeps {
  readonly db: Db;
  readonly store: OrderStore;
  readonly log: Logger;
  readonly orderTtlMs: number;
  readonly batchSize: number;
}

/**
 * Expires open orders with no change for `orderTtlMs` (SPEC §7): each by appending
 * `order.expired`, which the store publishes. Orders that changed since the query read
 * them are left open.
 */
export async function expireStaleOrders(deps: ExpiryDeps, keepGoing: () => boolean): Promise<DueOrdersReport> {
  const { db, orderTtlMs, batchSize } = deps;
  // One cutoff per run, so the walk covers a fixed set instead of chasing the clock.
  const updatedBefore = new Date(Date.now() - orderTtlMs);
  return decideDueOrders({
    store: deps.store,
    log: deps.log,
    findPage: (after) => findStaleOrders(db, { updatedBefore, after, limit: batchSize }),
    decide: (order) => decideExpire(order, Date.now(), orderTtlMs),
    batchSize,
    keepGoing,
    job: 'expire',
  });
}
