import { env, parseEnv, platformVariables, toPlatformConfig, type PlatformConfig } from '@orderflow/platform';

/** Every variable the service reads. */
export const schedulerVariables = {
  ...platformVariables,
  EXPIRY_INTERVAL_MS: env.ms(10, 86_400_000).default(60_000),
  ORDER_TTL_MS: env.ms(1, 2_592_000_000).default(600_000),
  SWEEP_INTERVAL_MS: env.ms(10, 3_600_000).default(5_000),
  OUTBOX_SWEEP_MS: env.ms(0, 86_400_000).default(10_000),
  SCHEDULER_BATCH_SIZE: env.int(1, 10_000).default(100),
  LEASE_TTL_MS: env.ms(100, 600_000).default(10_000),
} as const;

export interface SchedulerConfig extends PlatformConfig {
  /** How often stale open orders are looked for. */
  readonly expiryIntervalMs: number;
  /** An open order whose last change is older than this expires. */
  readonly orderTtlMs: number;
  /** How often overdue settlements and the outbox are swept. */
  readonly sweepIntervalMs: number;
  /** An event unpublished for longer than this is published by the sweep. */
  readonly outboxSweepMs: number;
  /** Orders or events handled per query, so one tick never loads an unbounded set. */
  readonly batchSize: number;
  /** Length of one leader term: a crashed leader is replaced after at most about one term. */
  readonly leaseTermMs: number;
}

/** The scheduler's configuration: the platform's plus the job intervals, TTL, batch size and lease term. */
export function loadSchedulerConfig(
  source: Readonly<Record<string, string | undefined>>,
  version = '0.0.0',
): SchedulerConfig {
  const vars = parseEnv(schedulerVariables, source);
  return {
    ...toPlatformConfig('scheduler', vars, version),
    expiryIntervalMs: vars.EXPIRY_INTERVAL_MS,
    orderTtlMs: vars.ORDER_TTL_MS,
    sweepIntervalMs: vars.SWEEP_INTERVAL_MS,
    outboxSweepMs: vars.OUTBOX_SWEEP_MS,
    batchSize: vars.SCHEDULER_BATCH_SIZE,
    // A holder claims its next term up to a third of a term early, so a crash can leave
    // that much plus a whole term claimed: terms of 3/4 LEASE_TTL_MS keep the takeover
    // of a crashed leader within LEASE_TTL_MS.
    leaseTermMs: Math.floor((vars.LEASE_TTL_MS * 3) / 4),
  };
}
