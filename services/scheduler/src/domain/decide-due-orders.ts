import type { Decision, Order } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import { inOrderTrace, UnavailableError, type Logger } from '@orderflow/platform';
import type { OrderPage, PageCursor } from '../data-access/due-orders.js';

/** What one run over the due orders did. */
export interface DueOrdersReport {
  /** Orders that got the decided event. */
  readonly appended: number;
  /** Orders the decision left as they were: they moved meanwhile, or their snapshot lagged. */
  readonly unchanged: number;
  /** Orders whose decision failed; they are retried on the next tick. */
  readonly failed: number;
  readonly batches: number;
}

export interface DueOrdersRun {
  readonly store: OrderStore;
  readonly log: Logger;
  /** Loads the next page of due orders after `after`. */
  readonly findPage: (after: PageCursor | undefined) => Promise<OrderPage>;
  readonly decide: (order: Order) => Decision;
  /** What the run does, in logs and span names: `expire`, `settle`. */
  readonly job: string;
  readonly batchSize: number;
  /** Checked before each batch: false once the lease is lost or shutdown began. */
  readonly keepGoing: () => boolean;
}

/**
 * Commits `decide` for every due order, one bounded batch at a time, until a batch comes
 * back short or `keepGoing()` turns false. Each order is decided against its events, not
 * the snapshot the query read, so an order that moved meanwhile is left alone.
 */
export async function decideDueOrders(run: DueOrdersRun): Promise<DueOrdersReport> {
  const { store, log } = run;
  let appended = 0;
  let unchanged = 0;
  let failed = 0;
  let batches = 0;
  let after: PageCursor | undefined;
  while (run.keepGoing()) {
    const page = await run.findPage(after);
    batches++;
    for (const due of page.orders) {
      try {
        // The order's own trace: its story in one place, this sweep's part included.
        const result = await inOrderTrace(due.trace, `${run.job} order`, { 'order.id': due.id }, async () => {
          const result = await store.decide(due.id, run.decide);
          if (result.outcome === 'appended') {
            log.info(
              { 'order.id': due.id, 'event.action': run.job, order: { status: result.order.status } },
              `${run.job}: order ${due.id} is ${result.order.status}`,
            );
          }
          return result;
        });
        if (result.outcome === 'appended') {
          appended++;
          continue;
        }
        unchanged++;
        // The query saw a snapshot that said "due" while the events say otherwise: the
        // snapshot lags (a crash between append and snapshot), so bring it forward.
        if (result.outcome === 'noop') await store.repairSnapshot(due.id);
      } catch (error) {
        // Without the database no other order can succeed either: end the tick.
        if (error instanceof UnavailableError) throw error;
        failed++;
        log.error({ err: error, 'order.id': due.id }, 'deciding a due order failed; the next tick retries it');
      }
    }
    if (page.orders.length < run.batchSize || !page.next) break;
    after = page.next;
  }
  return { appended, unchanged, failed, batches };
}
