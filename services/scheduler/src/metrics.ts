import { Counter, Gauge } from 'prom-client';
import type { Registry } from '@orderflow/platform';

/** The scheduler's jobs, as they appear in logs and the `job` label. */
export const JOBS = ['expiry', 'settlement', 'outbox'] as const;
export type JobName = (typeof JOBS)[number];

/** Counters and gauges of the scheduler (SPEC §9), registered on the runtime's registry. */
export interface SchedulerMetrics {
  /** Ticks that ran their job, i.e. while this replica led. */
  readonly ticks: Counter<'job'>;
  /** Ticks that ended in an error (the next tick retries). */
  readonly tickFailures: Counter<'job'>;
  readonly ordersExpired: Counter;
  readonly outboxRepublished: Counter;
}

/** Registers the scheduler's metrics; the leader gauge reads `isLeader()` at each scrape. */
export function createSchedulerMetrics(registry: Registry, isLeader: () => boolean): SchedulerMetrics {
  const registers = [registry];
  const ticks = new Counter({
    name: 'orderflow_scheduler_ticks_total',
    help: 'Scheduler ticks that ran their job while this replica held the lease',
    labelNames: ['job'] as const,
    registers,
  });
  const tickFailures = new Counter({
    name: 'orderflow_scheduler_tick_failures_total',
    help: 'Scheduler ticks that failed; the next tick retries',
    labelNames: ['job'] as const,
    registers,
  });
  // Series exist from the start, so rate() and alerts see 0 rather than nothing.
  for (const job of JOBS) {
    ticks.labels(job).inc(0);
    tickFailures.labels(job).inc(0);
  }
  new Gauge({
    name: 'orderflow_scheduler_leader',
    help: '1 while this replica holds the scheduler lease, else 0',
    registers,
    collect() {
      this.set(isLeader() ? 1 : 0);
    },
  });
  return {
    ticks,
    tickFailures,
    ordersExpired: new Counter({
      name: 'orderflow_orders_expired_total',
      help: 'Orders expired by the scheduler after ORDER_TTL_MS without a change',
      registers,
    }),
    outboxRepublished: new Counter({
      name: 'orderflow_outbox_republished_total',
      help: 'Order events published by the outbox sweep after their writer did not',
      registers,
    }),
  };
}
