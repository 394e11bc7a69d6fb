import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { toMinor, LANES, type Lane } from '@orderflow/core';
import { env, parseEnv, platformVariables, toPlatformConfig, type PlatformConfig } from '@orderflow/platform';
import { z } from 'zod';

/** `high:6,normal:3,low:1`: every lane once, each with a weight of at least 1. */
const laneWeights = () =>
  z
    .string()
    .trim()
    .transform((text): Partial<Record<string, number>> => {
      const weights: Partial<Record<string, number>> = {};
      for (const part of text.split(',')) {
        const [lane, weight] = part.trim().split(':');
        if (lane !== undefined && /^\d{1,4}$/.test(weight ?? '')) weights[lane] = Number(weight);
      }
      return weights;
    })
    .refine(
      (weights) => Object.keys(weights).length === LANES.length && LANES.every((lane) => (weights[lane] ?? 0) >= 1),
      { error: 'expected a weight for each lane, e.g. high:6,normal:3,low:1' },
    )
    .transform((weights) => weights as Record<Lane, number>);

/** Every variable the service reads. */
export const processorVariables = {
  ...platformVariables,
  VALIDATION_THREADS: env.int(1, 64).optional(),
  VALIDATION_BATCH_MAX: env.int(1, 1_000).default(32),
  MAX_IN_FLIGHT: env.int(1, 10_000).default(64),
  LANE_WEIGHTS: laneWeights().default({ high: 6, normal: 3, low: 1 }),
  MAX_ORDER_TOTAL: env.amount().default(10_000),
  MAX_ITEMS: env.int(1, 1_000).default(50),
  PRIORITY_TOTAL_THRESHOLD: env.amount().default(1_000),
  RISK_REJECT_SCORE: env.fraction().default(0.85),
  RISK_MODEL_PATH: env.text().optional(),
  PAYMENT_URL: env.url(['http:', 'https:']).default('http://127.0.0.1:8090'),
  PAYMENT_TIMEOUT_MS: env.ms(100, 120_000).default(5_000),
  PAYMENT_RETRIES: env.int(0, 20).default(3),
  PAYMENT_SETTLE_MS: env.ms(0, 3_600_000).default(2_000),
} as const;

export interface ProcessorConfig extends PlatformConfig {
  readonly validationThreads: number;
  /** Small orders validated per pool task, so the pool's fixed cost per task is shared. */
  readonly validationBatchMax: number;
  readonly maxInFlight: number;
  readonly laneWeights: Readonly<Record<Lane, number>>;
  readonly rules: { readonly maxTotalMinor: number; readonly maxItems: number; readonly riskRejectScore: number };
  readonly priorityThresholdMinor: number;
  readonly riskModelPath: string;
  readonly payment: {
    readonly url: string;
    readonly timeoutMs: number;
    readonly retries: number;
    readonly settleMs: number;
  };
}

/** The reference risk model shipped with the domain package. */
export function defaultRiskModelPath(): string {
  return fileURLToPath(import.meta.resolve('@orderflow/core/models/risk-model.json'));
}

export function loadProcessorConfig(
  source: Readonly<Record<string, string | undefined>>,
  version = '0.0.0',
): ProcessorConfig {
  const vars = parseEnv(processorVariables, source);
  return {
    ...toPlatformConfig('processor', vars, version),
    validationThreads: vars.VALIDATION_THREADS ?? Math.max(1, availableParallelism() - 1),
    validationBatchMax: vars.VALIDATION_BATCH_MAX,
    maxInFlight: vars.MAX_IN_FLIGHT,
    laneWeights: vars.LANE_WEIGHTS,
    rules: {
      maxTotalMinor: toMinor(vars.MAX_ORDER_TOTAL) ?? 0,
      maxItems: vars.MAX_ITEMS,
      riskRejectScore: vars.RISK_REJECT_SCORE,
    },
    priorityThresholdMinor: toMinor(vars.PRIORITY_TOTAL_THRESHOLD) ?? 0,
    riskModelPath: vars.RISK_MODEL_PATH ?? defaultRiskModelPath(),
    payment: {
      url: vars.PAYMENT_URL,
      timeoutMs: vars.PAYMENT_TIMEOUT_MS,
      retries: vars.PAYMENT_RETRIES,
      settleMs: vars.PAYMENT_SETTLE_MS,
    },
  };
}
