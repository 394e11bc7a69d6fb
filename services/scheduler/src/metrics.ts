import { Counter, Gauge } from 'prom-client';
import type { OutboxState } from '@orderflow/event-store';
import { oncePerScrape, type Registry } from '@orderflow/platform';

/**
 * The scheduler's jobs, as they appear in logs and the `scheduler_job` label (not `job`,
 * which Prometheus gives every series of a scrape target).
 */
export const JOBS = ['expiry', 'settlement', 'outbox'] as const;
export type JobName = (typeof JOBS)[number];

/** Counters and gauges of the scheduler (SPEC §9), registered on the runtime's registry. */
export interface SchedulerMetrics {
  /** Ticks that ran their job, i.e. while this replica led. */
  readonly ticks: Counter<'scheduler_job'>;
  /** Ticks that ended in an error (the next tick retries). */
  readonly tickFailures: Counter<'scheduler_job'>;
  readonly ordersExpired: Counter;
  readonly outboxRepublished: Counter;
}

/**
 * Registers the scheduler's metrics; the leader gauge reads `isLeader()` at each scrape,
 * the outbox gauges `readOutbox()` (one read per scrape for both).
 */
export function createSchedulerMetrics(
  registry: Registry,
  isLeader: () => boolean,
  readOutbox: () => Promise<OutboxState>,
): SchedulerMetrics {
  const registers = [registry];
  // Unknown while the database is unreachable: no sample rather than a false zero.
  const outbox = oncePerScrape(() => readOutbox().catch(() => undefined));
  new Gauge({
    name: 'orderflow_outbox_backlog',
    help: 'Order events stored but not yet published to NATS (the outbox sweep publishes them)',
    registers,
    async collect() {
      const state = await outbox();
      if (state) this.set(state.backlog);
      else this.reset();
    },
  });
  new Gauge({
    name: 'orderflow_outbox_oldest_age_seconds',
    help: 'Age of the oldest order event not yet published; 0 when none waits',
    registers,
    async collect() {
      const state = await outbox();
      if (!state) this.reset();
      else this.set(state.oldestAt ? Math.max(0, (Date.now() - state.oldestAt.getTime()) / 1_000) : 0);
    },
  });
  const ticks = new Counter({
    name: 'orderflow_scheduler_ticks_total',
    help: 'Scheduler ticks that ran their job while this replica held the lease',
    labelNames: ['scheduler_job'] as const,
    registers,
  });
  const tickFailures = new Counter({
    name: 'orderflow_scheduler_tick_failures_total',
    help: 'Scheduler ticks that failed; the next tick retries',
    labelNames: ['scheduler_job'] as const,
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
