import type { OrderStore } from '@orderflow/event-store';
import type { Db, Logger } from '@orderflow/platform';
import type { DueOrdersReport } from '../domain/decide-due-orders.js';
import { expireStaleOrders } from '../domain/expire-stale-orders.js';
import { settleOverdueOrders } from '../domain/settle-overdue-orders.js';
import { sweepOutbox } from '../domain/sweep-outbox.js';
import type { JobName, SchedulerMetrics } from '../metrics.js';
import type { Job } from './leader-tick.js';

export interface JobDeps {
  readonly db: Db;
  readonly store: OrderStore;
  readonly log: Logger;
  readonly metrics: SchedulerMetrics;
  readonly orderTtlMs: number;
  readonly outboxSweepMs: number;
  readonly batchSize: number;
}

/** The scheduler's three jobs (SPEC §7), each counting and logging what it did. */
export function createJobs(deps: JobDeps): Record<JobName, Job> {
  const { store, log, metrics, batchSize } = deps;
  return {
    async expiry(keepGoing) {
      const report = await expireStaleOrders(deps, keepGoing);
      metrics.ordersExpired.inc(report.appended);
      logReport(log, 'expiry', 'expired', report);
    },
    async settlement(keepGoing) {
      logReport(log, 'settlement', 'settled', await settleOverdueOrders(deps, keepGoing));
    },
    async outbox(keepGoing) {
      const published = await sweepOutbox({ store, olderThanMs: deps.outboxSweepMs, batchSize }, keepGoing);
      metrics.outboxRepublished.inc(published);
      if (published > 0) {
        log.info(
          { 'event.action': 'outbox-republished', 'scheduler.job': 'outbox', 'scheduler.published': published },
          `published ${published} event(s) their writer left unpublished`,
        );
      }
    },
  };
}

/** Quiet when nothing was due, so an idle scheduler does not fill the logs. */
function logReport(log: Logger, job: JobName, verb: string, report: DueOrdersReport): void {
  if (report.appended + report.unchanged + report.failed === 0) return;
  log.info(
    {
      'event.action': `orders-${verb}`,
      'scheduler.job': job,
      'scheduler.appended': report.appended,
      'scheduler.unchanged': report.unchanged,
      'scheduler.failed': report.failed,
      'scheduler.batches': report.batches,
    },
    `${verb} ${report.appended} order(s); ${report.unchanged} had moved on, ${report.failed} failed`,
  );
}
