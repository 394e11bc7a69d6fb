import { z } from 'zod';
import { ConfigError } from './errors.js';
import { MONGO_SOCKET_TIMEOUT_MS_DEFAULT } from './mongo.js';

/** Names of the deployable services; also `service.name` in logs and the metrics label. */
export type ServiceName = 'api' | 'processor' | 'notifier' | 'scheduler';

/** Ops port of each service (SPEC §10); the api serves /health, /ready, /metrics on PORT. */
export const DEFAULT_OPS_PORTS: Readonly<Record<Exclude<ServiceName, 'api'>, number>> = {
  processor: 9101,
  notifier: 9102,
  scheduler: 9103,
};

const SECRET_VARIABLES = new Set(['NATS_PASSWORD', 'NATS_TOKEN', 'MONGO_URL']);

/** Builders for environment variables: each says the expected form in its error. */
export const env = {
  int(min: number, max: number) {
    const expected = `expected a whole number from ${min} to ${max}`;
    return z
      .string()
      .trim()
      .regex(/^-?\d+$/, { error: expected })
      .transform(Number)
      .refine((n) => n >= min && n <= max, { error: expected });
  },
  port() {
    return env.int(0, 65_535);
  },
  /** A decimal from 0 to 1, e.g. a probability. */
  fraction() {
    const expected = 'expected a decimal from 0 to 1';
    return z
      .string()
      .trim()
      .regex(/^(0|1|0?\.\d+|1\.0*)$/, { error: expected })
      .transform(Number);
  },
  /** A decimal amount with at most two decimals, e.g. 1000.00. */
  amount() {
    const expected = 'expected an amount like 1000 or 1000.00';
    return z
      .string()
      .trim()
      .regex(/^\d{1,12}(\.\d{1,2})?$/, { error: expected })
      .transform(Number);
  },
  /** Milliseconds as a whole number. */
  ms(min = 0, max = 2_147_483_647) {
    return env.int(min, max);
  },
  /** Comma-separated milliseconds, e.g. `1000,5000,30000`. */
  msList() {
    const expected = 'expected comma-separated whole milliseconds, e.g. 1000,5000,30000';
    return z
      .string()
      .trim()
      .regex(/^\d+(\s*,\s*\d+)*$/, { error: expected })
      .transform((s) => s.split(',').map((part) => Number(part.trim())));
  },
  oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `expected one of ${values.join(', ')}` });
  },
  url(protocols: readonly string[]) {
    const expected = `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
    return z
      .string()
      .trim()
      .refine(
        (value) =>
          value
            .split(',')
            .every((part) => URL.canParse(part.trim()) && protocols.includes(new URL(part.trim()).protocol)),
        { error: expected },
      );
  },
  /** A name usable in NATS stream names and subjects: lower-case letters, digits, `_`, `-`. */
  name() {
    return z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected lower-case letters, digits, "_" or "-"' });
  },
  text() {
    return z.string();
  },
};

/** Variables every service reads. Services extend this object with their own. */
export const platformVariables = {
  NODE_ENV: env.oneOf(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: env.text().default('0.0.0.0'),
  PORT: env.port().default(8080),
  OPS_PORT: env.port().optional(),
  SHUTDOWN_TIMEOUT_MS: env.ms(100, 600_000).default(10_000),
  SHUTDOWN_DELAY_MS: env.ms(0, 60_000).default(0),

  EVENT_BUS: env.oneOf(['jetstream', 'memory']).default('jetstream'),
  NATS_URL: env.url(['nats:', 'tls:', 'ws:', 'wss:']).default('nats://127.0.0.1:4222'),
  NATS_USER: env.text().optional(),
  NATS_PASSWORD: env.text().optional(),
  NATS_TOKEN: env.text().optional(),
  NATS_NAMESPACE: env.name().optional(),
  NATS_REPLICAS: env.int(1, 5).default(1),
  STREAM_MAX_AGE_MS: env.ms(60_000).default(7 * 24 * 3_600_000),
  RETRY_MAX_DELIVER: env.int(1, 100).default(4),
  RETRY_BACKOFF_MS: env.msList().default([1_000, 5_000, 30_000]),
  ACK_WAIT_MS: env.ms(1_000, 3_600_000).default(30_000),

  MONGO_URL: env.url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017'),
  MONGO_DB: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'expected 1-63 letters, digits, "_" or "-"' })
    .default('orderflow'),
  MONGO_MAX_POOL_SIZE: env.int(1, 1_000).default(20),
  MONGO_TIMEOUT_MS: env.ms(100, 120_000).default(3_000),
  /** How long one command may wait for its answer; 0 waits forever. */
  MONGO_SOCKET_TIMEOUT_MS: env.ms(0, 3_600_000).default(MONGO_SOCKET_TIMEOUT_MS_DEFAULT),
  MIGRATE_ON_START: env.oneOf(['true', 'false']).default('true'),
  /**
   * `on`: writes, publishes, pulls and pool tasks are grouped across concurrent work;
   * `off`: one of each per order (the benchmark's baseline).
   */
  BATCHING: env.oneOf(['on', 'off']).default('on'),
  /** Test-only: crash (SIGKILL) at this named point; unset in production. */
  ORDERFLOW_FAULT_POINT: env.oneOf(['after-append', 'after-publish', 'after-effect']).optional(),
} as const;

type PlatformVariables = z.output<z.ZodObject<typeof platformVariables>>;

/** Configuration shared by every service, parsed once at startup. */
export interface PlatformConfig {
  readonly service: ServiceName;
  readonly version: string;
  readonly environment: string;
  readonly logLevel: string;
  readonly host: string;
  /** The api's HTTP port. */
  readonly port: number;
  /** Where /health, /ready and /metrics are served: PORT for the api, OPS_PORT otherwise. */
  readonly opsPort: number;
  readonly shutdownTimeoutMs: number;
  /** Time between turning unready and closing listeners, so load balancers notice first. */
  readonly shutdownDelayMs: number;
  readonly migrateOnStart: boolean;
  /** BATCHING: group writes, publishes, pulls and pool tasks across concurrent work. */
  readonly batching: boolean;
  /** Test-only crash point (ORDERFLOW_FAULT_POINT). */
  readonly faultPoint: string | undefined;
  readonly nats: {
    readonly url: string;
    readonly user: string | undefined;
    readonly password: string | undefined;
    readonly token: string | undefined;
  };
  readonly bus: BusSettings;
  readonly mongo: {
    readonly url: string;
    readonly db: string;
    readonly maxPoolSize: number;
    readonly timeoutMs: number;
    readonly socketTimeoutMs: number;
  };
}

/** How streams and consumers are laid out and retried (SPEC §4). */
export interface BusSettings {
  readonly kind: 'jetstream' | 'memory';
  /** Prefix for stream names and subjects, so several systems can share one NATS account. */
  readonly namespace: string | undefined;
  readonly replicas: number;
  readonly maxAgeMs: number;
  readonly duplicateWindowMs: number;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly ackWaitMs: number;
  /**
   * Pull as many messages as there are free handler slots and ack without awaiting the
   * server's confirmation (a lost ack is a redelivery, absorbed by idempotency); off: one
   * message per pull, each ack confirmed. Default on.
   */
  readonly batching?: boolean;
}

/**
 * Parses `source` (normally `process.env`) against `schema`. Empty strings count as
 * unset, so `FOO=` in an env file falls back to the default. Throws a ConfigError that
 * names every invalid variable and the form it expects.
 */
export function parseEnv<T extends z.ZodRawShape>(
  variables: T,
  source: Readonly<Record<string, string | undefined>>,
): z.output<z.ZodObject<T>> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && value !== '' && key in variables) present[key] = value;
  }
  const result = z.object(variables).safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const got = present[name];
      const shown = got === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got "${got}")`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}

/** Builds the shared configuration of `service` from the environment. */
export function loadPlatformConfig(
  service: ServiceName,
  source: Readonly<Record<string, string | undefined>>,
  version = '0.0.0',
): PlatformConfig {
  return toPlatformConfig(service, parseEnv(platformVariables, source), version);
}

/** Shapes already-parsed variables (e.g. a service's extended schema) into PlatformConfig. */
export function toPlatformConfig(service: ServiceName, vars: PlatformVariables, version: string): PlatformConfig {
  return {
    service,
    version,
    environment: vars.NODE_ENV,
    logLevel: vars.LOG_LEVEL,
    host: vars.HOST,
    port: vars.PORT,
    opsPort: service === 'api' ? vars.PORT : (vars.OPS_PORT ?? DEFAULT_OPS_PORTS[service]),
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: vars.SHUTDOWN_DELAY_MS,
    migrateOnStart: vars.MIGRATE_ON_START === 'true',
    batching: vars.BATCHING === 'on',
    faultPoint: vars.ORDERFLOW_FAULT_POINT,
    nats: {
      url: vars.NATS_URL,
      user: vars.NATS_USER,
      password: vars.NATS_PASSWORD,
      token: vars.NATS_TOKEN,
    },
    bus: {
      kind: vars.EVENT_BUS,
      namespace: vars.NATS_NAMESPACE,
      replicas: vars.NATS_REPLICAS,
      maxAgeMs: vars.STREAM_MAX_AGE_MS,
      duplicateWindowMs: 120_000,
      maxDeliver: vars.RETRY_MAX_DELIVER,
      backoffMs: vars.RETRY_BACKOFF_MS,
      ackWaitMs: vars.ACK_WAIT_MS,
      batching: vars.BATCHING === 'on',
    },
    mongo: {
      url: vars.MONGO_URL,
      db: vars.MONGO_DB,
      maxPoolSize: vars.MONGO_MAX_POOL_SIZE,
      timeoutMs: vars.MONGO_TIMEOUT_MS,
      socketTimeoutMs: vars.MONGO_SOCKET_TIMEOUT_MS,
    },
  };
}
