import { availableParallelism } from 'node:os';
import {
  ConfigError,
  env,
  parseEnv,
  platformVariables,
  toPlatformConfig,
  type PlatformConfig,
} from '@orderflow/platform';
import type { BackpressureLimits } from './domain/backpressure.js';

/** The development webhook secret; production must set PAYMENT_WEBHOOK_SECRET. */
export const DEV_WEBHOOK_SECRET = 'orderflow-dev-webhook-secret';

/** Every variable the service reads. */
export const apiVariables = {
  ...platformVariables,
  MAX_BODY_BYTES: env.int(1_024, 10_485_760).default(65_536),
  RATE_LIMIT_PER_MIN: env.int(0, 10_000_000).default(1_200),
  PAYMENT_WEBHOOK_SECRET: env.text().optional(),
  SSE_MAX_CLIENTS: env.int(1, 1_000_000).default(1_000),
  SSE_MAX_PER_IP: env.int(1, 1_000_000).default(20),
  SSE_HEARTBEAT_MS: env.ms(1_000, 300_000).default(15_000),
  SSE_MAX_LIFETIME_MS: env.ms(1_000, 86_400_000).default(1_800_000),
  API_WORKERS: env.int(1, 256).optional(),
  INTAKE_MAX_IN_FLIGHT: env.int(0, 1_000_000).default(2_000),
  INTAKE_MAX_WAIT_MS: env.ms().default(1_000),
  INTAKE_MAX_BACKLOG: env.int(0, 100_000_000).default(10_000),
} as const;

export interface ApiConfig extends PlatformConfig {
  readonly maxBodyBytes: number;
  /** Requests per client IP per minute; 0 turns the limit off. */
  readonly rateLimitPerMin: number;
  readonly webhookSecret: string;
  /** Live streams (SSE): per process, per client address, heartbeat period and lifetime. */
  readonly sse: {
    readonly maxClients: number;
    readonly maxPerIp: number;
    readonly heartbeatMs: number;
    readonly maxLifetimeMs: number;
  };
  /** node:cluster workers (API_WORKERS, default one per core); 1 runs the api in one process. */
  readonly workers: number;
  /**
   * Backpressure (429): creations in flight per process, how long the oldest may wait on
   * the store, and new orders waiting for a processor; 0 turns each off.
   */
  readonly intake: BackpressureLimits;
}

/** The api's configuration: the platform's plus body limit, rate limit, webhook secret and workers. */
export function loadApiConfig(source: Readonly<Record<string, string | undefined>>, version = '0.0.0'): ApiConfig {
  const vars = parseEnv(apiVariables, source);
  const platform = toPlatformConfig('api', vars, version);
  const secret = vars.PAYMENT_WEBHOOK_SECRET;
  if (secret === undefined && platform.environment === 'production') {
    throw new ConfigError(['PAYMENT_WEBHOOK_SECRET: required when NODE_ENV=production']);
  }
  return {
    ...platform,
    maxBodyBytes: vars.MAX_BODY_BYTES,
    rateLimitPerMin: vars.RATE_LIMIT_PER_MIN,
    webhookSecret: secret ?? DEV_WEBHOOK_SECRET,
    sse: {
      maxClients: vars.SSE_MAX_CLIENTS,
      maxPerIp: vars.SSE_MAX_PER_IP,
      heartbeatMs: vars.SSE_HEARTBEAT_MS,
      maxLifetimeMs: vars.SSE_MAX_LIFETIME_MS,
    },
    workers: vars.API_WORKERS ?? availableParallelism(),
    intake: {
      maxInFlight: vars.INTAKE_MAX_IN_FLIGHT,
      maxWaitMs: vars.INTAKE_MAX_WAIT_MS,
      maxBacklog: vars.INTAKE_MAX_BACKLOG,
    },
  };
}
