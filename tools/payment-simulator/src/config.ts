import { ConfigError, env, parseEnv, platformVariables } from '@orderflow/platform';
import { parseChaosModes, type ChaosSettings } from './chaos.js';

/**
 * The development signing secret; the api defaults to the same value, so both work
 * together out of the box. Production must set PAYMENT_WEBHOOK_SECRET.
 */
export const DEV_WEBHOOK_SECRET = 'orderflow-dev-webhook-secret';

const CHAOS_EXPECTED = 'expected a comma list of shuffle, duplicate, late; or all, 1, true; or 0, false';

/** Environment variables of the simulator (README.md lists them with their meaning). */
export const simulatorVariables = {
  NODE_ENV: platformVariables.NODE_ENV,
  LOG_LEVEL: platformVariables.LOG_LEVEL,
  HOST: platformVariables.HOST,
  PORT: env.port().default(8090),
  SHUTDOWN_TIMEOUT_MS: env.ms(100, 600_000).default(5_000),
  PAYMENT_DELAY_MS: env.ms().default(5_000),
  PAYMENT_SUCCESS_RATE: env.fraction().default(0.5),
  PAYMENT_DECLINE_RATE: env.fraction().default(0),
  PAYMENT_SEED: env.int(0, Number.MAX_SAFE_INTEGER).default(1),
  PAYMENT_CHAOS: env
    .text()
    .refine((value) => parseChaosModes(value) !== undefined, { error: CHAOS_EXPECTED })
    .optional(),
  PAYMENT_CHAOS_LATE_MS: env.ms().default(3_000),
  PAYMENT_WEBHOOK_URL: env.url(['http:', 'https:']).default('http://127.0.0.1:8080/webhooks/payments'),
  PAYMENT_WEBHOOK_SECRET: env.text().optional(),
  PAYMENT_WEBHOOK_MAX_ATTEMPTS: env.int(1, 10_000).default(50),
} as const;

/** Where and how webhooks are delivered. */
export interface WebhookSettings {
  readonly url: string;
  readonly secret: string;
  /** Attempts per webhook before it is abandoned (and logged). */
  readonly maxAttempts: number;
  /** First retry pause; doubles on each failure up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Bound on one attempt, so a stuck receiver costs an attempt, not the payment. */
  readonly timeoutMs: number;
}

/** Everything the simulator needs, parsed once at startup. */
export interface SimulatorConfig {
  readonly version: string;
  readonly environment: string;
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly shutdownTimeoutMs: number;
  /** Time between the payment request and the provider's decision. */
  readonly delayMs: number;
  readonly successRate: number;
  readonly declineRate: number;
  readonly seed: number;
  readonly chaos: ChaosSettings;
  readonly webhook: WebhookSettings;
}

/**
 * Builds the configuration from `source` (normally `process.env`). Throws a ConfigError
 * naming every invalid variable, including rules that span two of them.
 */
export function loadSimulatorConfig(
  source: Readonly<Record<string, string | undefined>>,
  version = '0.0.0',
): SimulatorConfig {
  const vars = parseEnv(simulatorVariables, source);
  const issues: string[] = [];
  // A tolerance, because e.g. 0.7 + 0.3 is not exactly 1 in floating point.
  if (vars.PAYMENT_SUCCESS_RATE + vars.PAYMENT_DECLINE_RATE > 1 + 1e-9) {
    issues.push(
      `PAYMENT_SUCCESS_RATE + PAYMENT_DECLINE_RATE: expected a sum of at most 1 ` +
        `(got ${vars.PAYMENT_SUCCESS_RATE} + ${vars.PAYMENT_DECLINE_RATE})`,
    );
  }
  if (vars.NODE_ENV === 'production' && vars.PAYMENT_WEBHOOK_SECRET === undefined) {
    issues.push('PAYMENT_WEBHOOK_SECRET: required when NODE_ENV=production');
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const modes = parseChaosModes(vars.PAYMENT_CHAOS ?? '') ?? new Set();
  return {
    version,
    environment: vars.NODE_ENV,
    logLevel: vars.LOG_LEVEL,
    host: vars.HOST,
    port: vars.PORT,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    delayMs: vars.PAYMENT_DELAY_MS,
    successRate: vars.PAYMENT_SUCCESS_RATE,
    declineRate: vars.PAYMENT_DECLINE_RATE,
    seed: vars.PAYMENT_SEED,
    chaos: {
      shuffle: modes.has('shuffle'),
      duplicate: modes.has('duplicate'),
      late: modes.has('late'),
      lateMs: vars.PAYMENT_CHAOS_LATE_MS,
    },
    webhook: {
      url: vars.PAYMENT_WEBHOOK_URL,
      secret: vars.PAYMENT_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
      maxAttempts: vars.PAYMENT_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: 100,
      retryMaxMs: 5_000,
      timeoutMs: 10_000,
    },
  };
}
