import { decideSettle } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import type { Db, Logger } from '@orderflow/platform';
import { findOverdueSettlements } from '../data-access/due-orders.js';
import { decideDueOrders, type DueOrdersReport } from './decide-due-orders.js';

export interface SettlementDeps {
  readonly db: Db;
  readonly store: OrderStore;
  readonly log: Logger;
  readonly batchSize: number;
}

/**
 * Settles `processing` orders whose `settle_at` has passed (SPEC §5): the processor's
 * timers do not survive a crash, the stored `settle_at` does.
 */
export async function settleOverdueOrders(deps: SettlementDeps, keepGoing: () => boolean): Promise<DueOrdersReport> {
  const { db, batchSize } = deps;
  const dueBy = new Date();
  return decideDueOrders({
    store: deps.store,
    log: deps.log,
    findPage: (after) => findOverdueSettlements(db, { dueBy, after, limit: batchSize }),
    decide: (order) => decideSettle(order, Date.now()),
    batchSize,
    keepGoing,
    job: 'settle',
  });
}
