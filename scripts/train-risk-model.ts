/**
 * Trains the reference risk model (docs/risk-model.md) on generated orders and writes it
 * as JSON. Deterministic: the same seed and options give the same file, byte for byte.
 *
 *   node --conditions=orderflow-source --import tsx scripts/train-risk-model.ts [--seed N] [--samples N] [--out path]
 *
 * Importing this file runs nothing; `trainRiskModel` is the training itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  RISK_FEATURES,
  RISK_MODEL_FORMAT,
  RISK_MODEL_VERSION,
  parseRiskModel,
  riskFeatures,
  scoreRisk,
  type RiskModelJson,
  type RiskNodeJson,
} from '../packages/core/src/risk/index.js';
import { boostTrees, type BoostingOptions } from './train-risk-model/boosted-trees.js';
import { checkCalibration } from './train-risk-model/calibration.js';
import { logLoss, rejectionRates, rocAuc } from './train-risk-model/evaluation.js';
import { generateSamples, type Sample } from './train-risk-model/synthetic-orders.js';

/** What `trainRiskModel` may be told; every field has a default. */
export interface TrainingOptions extends BoostingOptions {
  readonly seed: number;
  /** Generated orders, training and holdout together. */
  readonly sampleCount: number;
  readonly holdoutFraction: number;
}

const MONOTONE_INCREASING: readonly string[] = ['customer_orders_24h', 'customer_spend_24h', 'customer_rejected_7d'];

/** The options the shipped reference model was trained with. */
export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = Object.freeze({
  seed: 20_251_122,
  sampleCount: 24_000,
  holdoutFraction: 0.2,
  treeCount: 60,
  maxDepth: 3,
  learningRate: 0.2,
  maxBins: 64,
  minSamplesPerLeaf: 30,
  l2: 1,
  // More recent orders, spend or rejections never make an order look safer.
  monotone: RISK_FEATURES.map((name) => (MONOTONE_INCREASING.includes(name) ? 1 : 0)),
});

/** The reject score the holdout rejection rates are reported at (RISK_REJECT_SCORE's default). */
const REPORTED_REJECT_SCORE = 0.85;

const DEFAULT_OUT = fileURLToPath(new URL('../packages/core/models/risk-model.json', import.meta.url));

/** Generates the data set, trains the ensemble and returns the model document with its metrics. */
export function trainRiskModel(overrides: Partial<TrainingOptions> = {}): RiskModelJson {
  const options: TrainingOptions = { ...DEFAULT_TRAINING_OPTIONS, ...overrides };
  const samples = generateSamples(options.seed, options.sampleCount);
  const holdoutCount = Math.round(samples.length * options.holdoutFraction);
  const training = samples.slice(0, samples.length - holdoutCount);
  const holdout = samples.slice(samples.length - holdoutCount);

  const rows = training.map((sample) => riskFeatures(sample.order, sample.history));
  const columns = RISK_FEATURES.map((_, f) => Float64Array.from(rows, (row) => row[f]!));
  const trainingLabels = labelsOf(training);
  const boosted = boostTrees({ columns, labels: trainingLabels }, options);
  const model: RiskModelJson = {
    format: RISK_MODEL_FORMAT,
    version: RISK_MODEL_VERSION,
    features: [...RISK_FEATURES],
    base_score: boosted.baseScore,
    trees: boosted.trees,
  };

  // Holdout scores go through the parser and scorer the services use, not the trainer's own sums.
  const parsed = parseRiskModel(model);
  const holdoutScores = holdout.map((sample) => scoreRisk(parsed, riskFeatures(sample.order, sample.history)));
  const holdoutLabels = labelsOf(holdout);
  const rates = rejectionRates(holdoutScores, holdoutLabels, REPORTED_REJECT_SCORE);
  const trainingScores = boosted.trainingLogOdds.map((logOdds) => 1 / (1 + Math.exp(-logOdds)));
  const metadata = {
    trainer: 'scripts/train-risk-model.ts',
    data: 'synthetic orders and customer histories, legitimate and fraudulent patterns',
    seed: options.seed,
    samples: { training: training.length, holdout: holdout.length },
    fraud_share: rounded(trainingLabels.reduce((sum, label) => sum + label, 0) / training.length),
    trees: options.treeCount,
    max_depth: options.maxDepth,
    learning_rate: options.learningRate,
    max_bins: options.maxBins,
    min_samples_per_leaf: options.minSamplesPerLeaf,
    l2: options.l2,
    monotone_increasing: RISK_FEATURES.filter((_, f) => options.monotone[f] === 1),
    training_log_loss: rounded(logLoss(trainingScores, trainingLabels)),
    holdout_log_loss: rounded(logLoss(holdoutScores, holdoutLabels)),
    holdout_auc: rounded(rocAuc(holdoutScores, holdoutLabels)),
    holdout_at_reject_score: {
      reject_score: REPORTED_REJECT_SCORE,
      fraud_rejected: rounded(rates.fraudRejected),
      legitimate_rejected: rounded(rates.legitimateRejected),
    },
  };
  const { trees, ...head } = model;
  return { ...head, metadata, trees };
}

/**
 * The model as JSON text with each tree node on one line, so a diff of two models reads
 * node by node. The CLI passes it through prettier too, for the repository's lint.
 */
export function formatRiskModel(model: RiskModelJson): string {
  const { trees, ...head } = model;
  const headLines = JSON.stringify(head, null, 2).slice(0, -2);
  const treeLines = trees.map((tree) => {
    const nodes = tree.nodes.map((node) => `        ${oneLineNode(node)}`);
    return `    {\n      "nodes": [\n${nodes.join(',\n')}\n      ]\n    }`;
  });
  return `${headLines},\n  "trees": [\n${treeLines.join(',\n')}\n  ]\n}\n`;
}

/** `{ "feature": 1, "threshold": 2.5, "left": 1, "right": 2 }`: JSON numbers hold no `:` or `,`. */
function oneLineNode(node: RiskNodeJson): string {
  return `{ ${JSON.stringify(node).slice(1, -1).replaceAll(':', ': ').replaceAll(',', ', ')} }`;
}

function labelsOf(samples: readonly Sample[]): Uint8Array {
  return Uint8Array.from(samples, (sample) => (sample.fraud ? 1 : 0));
}

function rounded(value: number): number {
  return Number(value.toFixed(6));
}

function wholeNumberOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`--${name}: expected a whole number (got "${text}")`);
  return Number(text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, samples: { type: 'string' }, out: { type: 'string' } },
  });
  const seed = wholeNumberOption('seed', values.seed, DEFAULT_TRAINING_OPTIONS.seed);
  const sampleCount = wholeNumberOption('samples', values.samples, DEFAULT_TRAINING_OPTIONS.sampleCount);
  const out = values.out === undefined ? DEFAULT_OUT : resolve(values.out);

  const startedMs = performance.now();
  const model = trainRiskModel({ seed, sampleCount });
  const trainingMs = performance.now() - startedMs;
  process.stdout.write(`trained in ${(trainingMs / 1000).toFixed(1)} s\n${JSON.stringify(model.metadata, null, 2)}\n`);
  const calibration = checkCalibration(parseRiskModel(model));
  for (const check of calibration) {
    const verdict = check.ok ? 'ok' : 'FAILED';
    process.stdout.write(`  ${check.score.toFixed(4)} (${check.expect} ${check.limit}, ${verdict})  ${check.name}\n`);
  }
  if (calibration.some((check) => !check.ok)) {
    process.stderr.write(`not written: the model fails calibration\n`);
    process.exitCode = 1;
    return;
  }
  await mkdir(dirname(out), { recursive: true });
  // Loaded here so that importing the trainer (tests do) stays light.
  const { format, resolveConfig } = await import('prettier');
  const prettierOptions = (await resolveConfig(out)) ?? {};
  await writeFile(out, await format(formatRiskModel(model), { ...prettierOptions, parser: 'json' }));
  process.stdout.write(`wrote ${out}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
