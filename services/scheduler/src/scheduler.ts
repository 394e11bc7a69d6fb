import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createOrderMetrics, createOrderStore, readOutboxState } from '@orderflow/event-store';
import {
  createLease,
  faultPoints,
  startRuntime,
  type Lease,
  type Runtime,
  type ServiceOptions,
} from '@orderflow/platform';
import type { SchedulerConfig } from './config.js';
import { createJobs } from './entry-points/jobs.js';
import { leaderTick } from './entry-points/leader-tick.js';
import { leaseRenewal } from './entry-points/lease-renewal.js';
import { startTickLoop } from './entry-points/tick-loop.js';
import { createSchedulerMetrics, JOBS, type JobName } from './metrics.js';

/** Name of the scheduler's leader lease in the `leases` collection. */
export const SCHEDULER_LEASE = 'scheduler';

export interface SchedulerRuntime extends Runtime {
  readonly config: SchedulerConfig;
  /** The leader lease: `isHeld()` is true while this replica runs the jobs. */
  readonly lease: Lease;
  /** This replica's lease owner id, `<hostname>:<pid>:<random>`. */
  readonly leaseOwner: string;
}

/**
 * Starts the scheduler (SPEC §7): expires stale orders, settles overdue payments and
 * sweeps the outbox, each on its own tick, run only by the holder of the `scheduler`
 * lease. On stop, ticks in flight finish and the lease is released so another replica
 * takes over at once. /health, /ready and /metrics are served on OPS_PORT.
 */
export async function startScheduler(
  config: SchedulerConfig,
  onFatal?: (error: Error) => void,
  options: ServiceOptions = {},
): Promise<SchedulerRuntime> {
  const runtime = await startRuntime({ config, ...options, ...(onFatal ? { onFatal } : {}) });
  const { mongo, bus, log, lifecycle, registry } = runtime;
  const { signal } = lifecycle;

  const faultPoint = faultPoints(config.faultPoint);
  const store = createOrderStore({
    db: mongo.db,
    metrics: createOrderMetrics(registry),
    bus,
    log,
    source: 'scheduler',
    batching: config.batching,
    ...(faultPoint ? { faultPoint } : {}),
  });
  // Registered before the work that appends, so it runs after that work has stopped.
  lifecycle.onStop('outbox publishes', () => store.settled());
  const leaseOwner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const lease = createLease(mongo.db, { name: SCHEDULER_LEASE, owner: leaseOwner, termMs: config.leaseTermMs });
  const metrics = createSchedulerMetrics(
    registry,
    () => lease.isHeld(),
    () => readOutboxState(mongo.db),
  );
  const jobs = createJobs({
    db: mongo.db,
    store,
    log,
    metrics,
    orderTtlMs: config.orderTtlMs,
    outboxSweepMs: config.outboxSweepMs,
    batchSize: config.batchSize,
  });

  const intervalsMs: Record<JobName, number> = {
    expiry: config.expiryIntervalMs,
    settlement: config.sweepIntervalMs,
    outbox: config.sweepIntervalMs,
  };
  // A quarter term lands at least once in the last third of every term, where the holder
  // claims the next one; renewing at least as often as any tick keeps the gauge current.
  const renewEveryMs = Math.min(config.expiryIntervalMs, config.sweepIntervalMs, Math.floor(config.leaseTermMs / 4));
  const loops = [
    startTickLoop({ name: 'lease', intervalMs: renewEveryMs, tick: leaseRenewal(lease, leaseOwner, log), signal, log }),
    ...JOBS.map((job) =>
      startTickLoop({
        name: job,
        intervalMs: intervalsMs[job],
        tick: leaderTick({ job, run: jobs[job], lease, signal, metrics }),
        signal,
        log,
      }),
    ),
  ];
  lifecycle.onStop('scheduler ticks and lease', async () => {
    await Promise.all(loops.map((loop) => loop.done));
    await lease.release();
  });

  log.info(
    {
      'event.action': 'scheduler-started',
      'scheduler.owner': leaseOwner,
      'scheduler.lease_term_ms': config.leaseTermMs,
      'scheduler.expiry_interval_ms': config.expiryIntervalMs,
      'scheduler.sweep_interval_ms': config.sweepIntervalMs,
    },
    'scheduler started; jobs run while this replica holds the lease',
  );
  runtime.markStarted();
  return { ...runtime, config, lease, leaseOwner };
}
