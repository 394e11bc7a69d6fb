import type { Lease } from '@orderflow/platform';
import type { JobName, SchedulerMetrics } from '../metrics.js';

/** A job's work for one tick; it checks `keepGoing()` between batches. */
export type Job = (keepGoing: () => boolean) => Promise<void>;

export interface LeaderTickOptions {
  readonly job: JobName;
  readonly run: Job;
  readonly lease: Lease;
  /** Shutdown: work stops at the next batch boundary. */
  readonly signal: AbortSignal;
  readonly metrics: SchedulerMetrics;
}

/**
 * One tick of a job that only the lease holder may run (SPEC §7): claim or renew the
 * lease, do nothing unless held, and stop between batches once it is lost.
 */
export function leaderTick(options: LeaderTickOptions): () => Promise<void> {
  const { job, run, lease, signal, metrics } = options;
  const keepGoing = () => !signal.aborted && lease.isHeld();
  return async () => {
    await lease.tryAcquire();
    if (!keepGoing()) return;
    metrics.ticks.labels(job).inc();
    try {
      await run(keepGoing);
    } catch (error) {
      metrics.tickFailures.labels(job).inc();
      throw error;
    }
  };
}
