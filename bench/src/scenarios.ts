import {
  isSearch,
  nextStep,
  refutedRates,
  STEP_DOWN_CAPACITY_SHARE,
  sustainableRate,
  type StepRecord,
  type SteppingPlan,
} from './criteria.js';
import type { OrderMix } from './orders.js';
import { runStep, type StepContext } from './step.js';
import type { ScenarioName, StepPhase, StepResult } from './types.js';

/** Priority lanes of the mixed scenario: 20 % high, 60 % normal, 20 % low. */
export const MIXED_LANES = { high: 0.2, low: 0.2 } as const;
/** Share of mixed orders the processor rejects (total above MAX_ORDER_TOTAL). */
export const MIXED_REJECT_SHARE = 0.05;

/** How a scenario runs in one mode. */
export interface ScenarioConfig {
  readonly name: ScenarioName;
  readonly mix: OrderMix;
  readonly sideLoad: boolean;
  readonly plan: SteppingPlan;
  readonly stepSeconds: number;
  readonly confirmSeconds: number;
  /**
   * Orders a step offers at least, lengthening steps at low rates: with fewer than a few
   * hundred answers a step's p99 is its slowest one or two, and one disk flush decides it.
   */
  readonly minSamples: number;
  readonly drainTimeoutMs: number;
  /** How long answers may trail a step before open requests are cut off. */
  readonly graceMs: number;
  readonly settleMs: number;
}

/** Mode-level settings the scenarios are derived from. */
export interface ModeSettings {
  readonly quick: boolean;
  readonly stepSeconds: number;
  /** Overrides the start rates below for every scenario. */
  readonly startRate?: number | undefined;
}

/** The scenario settings `options` ask for. */
export function modeOf(options: {
  readonly mode: 'quick' | 'full';
  readonly stepSeconds: number;
  readonly startRate?: number | undefined;
}): ModeSettings {
  return { quick: options.mode === 'quick', stepSeconds: options.stepSeconds, startRate: options.startRate };
}

/** Rates each scenario starts at, by mode. */
export const START_RATES = {
  // Near what this box sustains (bench/results/full.md): a quick run that starts far above
  // it only measures an overloaded machine, and its step-downs do not reach the real rate.
  quick: { intake: 50, pipeline: 20 },
  full: { intake: 1_000, pipeline: 250 },
} as const;

const DRAIN_MS = 30_000;
// At least 200 orders per full-mode step: its p99 is then the 2nd-slowest answer, not the slowest.
const MIN_SAMPLES_FULL = 200;
// The quick mode must end within three minutes even when the system is far slower than
// its start rates: its drains and answer graces are shorter (and the report says so).
const DRAIN_QUICK_MS = 5_000;
// Intake offers more than the pipeline can finish; waiting for it all would take minutes.
const INTAKE_DRAIN_QUICK_MS = 3_000;
const GRACE_MS = 30_000;
const GRACE_QUICK_MS = 3_000;
// Counts and scrapes before and after a step, each up to the quick probe timeout.
const STEP_OVERHEAD_MS = 10_000;
const FIRST_STEP_SLACK_MS = 15_000;

/** The configuration of `name` in this mode. */
export function scenarioConfig(name: ScenarioName, mode: ModeSettings): ScenarioConfig {
  const rates = mode.quick ? START_RATES.quick : START_RATES.full;
  const plan: SteppingPlan = {
    startRate: mode.startRate ?? (name === 'intake' ? rates.intake : rates.pipeline),
    factor: 1.6,
    maxSteps: 12,
    maxStepDowns: mode.quick ? 2 : 3,
    bisect: !mode.quick,
    confirmRuns: mode.quick ? 0 : 2,
  };
  return {
    name,
    mix: name === 'mixed' ? { lanes: MIXED_LANES, rejectShare: MIXED_REJECT_SHARE } : {},
    sideLoad: name === 'mixed',
    plan,
    stepSeconds: mode.stepSeconds,
    confirmSeconds: 60,
    minSamples: mode.quick ? 0 : MIN_SAMPLES_FULL,
    drainTimeoutMs: !mode.quick ? DRAIN_MS : name === 'intake' ? INTAKE_DRAIN_QUICK_MS : DRAIN_QUICK_MS,
    graceMs: mode.quick ? GRACE_QUICK_MS : GRACE_MS,
    settleMs: 2_000,
  };
}

/** The mode's length of a step of `phase`. */
function modeSecondsFor(config: ScenarioConfig, phase: StepPhase): number {
  return phase === 'confirm' ? config.confirmSeconds : config.stepSeconds;
}

/** How long a step of `phase` at `rate` offers load: its mode's length, longer when that gives too few orders. */
export function stepSecondsFor(config: ScenarioConfig, phase: StepPhase, rate: number): number {
  const base = modeSecondsFor(config, phase);
  return rate > 0 ? Math.max(base, Math.ceil(config.minSamples / rate)) : base;
}

/** The longest a (non-confirmation) step of `config` can take: probes, load, answer grace, drain, settle. */
export function longestStepMs(config: ScenarioConfig): number {
  return config.stepSeconds * 1_000 + config.graceMs + config.drainTimeoutMs + config.settleMs + STEP_OVERHEAD_MS;
}

/** Every step of one scenario on one stack. */
export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly stack: string;
  readonly steps: StepResult[];
  /** Highest rate a search step sustained; null when none did. */
  readonly sustainableRate: number | null;
  readonly notes: string[];
}

/**
 * Steps the rate up by the plan until a step is not sustainable (or 12 steps), bisects
 * once and confirms, as far as the plan asks; every step on fresh orders.
 */
export async function runStepped(
  ctx: StepContext,
  config: ScenarioConfig,
  seed: number,
  deadlineMs?: number,
): Promise<ScenarioResult> {
  const steps: StepResult[] = [];
  const notes: string[] = [];
  let slowestMs = 0;
  for (;;) {
    if (ctx.signal.aborted) break;
    const step = nextStep(config.plan, steps.map(recordOf));
    if (step === undefined) break;
    // Another step only when one as slow as the slowest so far still ends in time.
    // The first step runs unless even it would overrun the deadline by more than the slack.
    const estimateMs = steps.length > 0 ? slowestMs : longestStepMs(config) - FIRST_STEP_SLACK_MS;
    const late = deadlineMs !== undefined && Date.now() + estimateMs > deadlineMs;
    if (late) {
      notes.push(`the quick mode's time budget ended the stepping before the ${step.phase} step at ${step.rate}/s`);
      break;
    }
    const durationS = stepSecondsFor(config, step.phase, step.rate);
    const startedMs = Date.now();
    steps.push(await runOne(ctx, config, step.phase, step.rate, durationS, seed + steps.length));
    slowestMs = Math.max(slowestMs, Date.now() - startedMs);
  }
  if (steps.some((s) => s.durationS > modeSecondsFor(config, s.phase))) {
    notes.push(
      `steps at low rates ran longer than their mode's length, to offer at least ${config.minSamples} orders each`,
    );
  }
  return finish(config, ctx.stackLabel, steps, notes);
}

/** One step at `rate` (the mixed scenario of the quick mode). */
export async function runSingle(
  ctx: StepContext,
  config: ScenarioConfig,
  rate: number,
  seed: number,
  note: string,
): Promise<ScenarioResult> {
  const step = await runOne(ctx, config, 'single', rate, config.stepSeconds, seed);
  return finish(config, ctx.stackLabel, [step], [note]);
}

function runOne(
  ctx: StepContext,
  config: ScenarioConfig,
  phase: StepPhase,
  rate: number,
  durationS: number,
  seed: number,
): Promise<StepResult> {
  return runStep(ctx, {
    scenario: config.name,
    phase,
    rate,
    durationS,
    mix: config.mix,
    sideLoad: config.sideLoad,
    drainTimeoutMs: config.drainTimeoutMs,
    graceMs: config.graceMs,
    settleMs: config.settleMs,
    seed,
  });
}

/** A step as the stepping plan sees it; its capacity is what it got through. */
export function recordOf(step: StepResult): StepRecord {
  return {
    phase: step.phase,
    rate: step.rate,
    sustainable: step.verdict.sustainable,
    // A pipeline that finished nothing still took in what it accepted; it cannot finish more.
    capacity: step.scenario === 'intake' || !step.completedPerSec ? step.intakeThroughput : step.completedPerSec,
  };
}

function finish(config: ScenarioConfig, stack: string, steps: StepResult[], notes: string[]): ScenarioResult {
  const history = steps.map((s) => ({ phase: s.phase, rate: s.rate, sustainable: s.verdict.sustainable }));
  const rate = sustainableRate(history, config.plan.confirmRuns);
  const refuted = refutedRates(history);
  if (refuted.length > 0) {
    const confirmed = rate === undefined ? 'no rate held them' : `${rate}/s held them`;
    notes.push(
      `the ${config.confirmSeconds} s confirmations failed at ${refuted.map((r) => `${r}/s`).join(', ')} ` +
        `(sustained in a shorter step): ${confirmed}`,
    );
  }
  if (steps.some((s) => s.phase === 'down')) {
    notes.push(
      `the start rate ${config.plan.startRate}/s was not sustainable, so the rate was stepped down ` +
        `(below ${STEP_DOWN_CAPACITY_SHARE * 100} % of what the failed step got through)`,
    );
  }
  return { name: config.name, stack, steps, sustainableRate: rate ?? null, notes };
}

/** The step that established the sustainable rate (the search step at that rate). */
export function sustainableStep(result: ScenarioResult | undefined): StepResult | undefined {
  if (result?.sustainableRate === null || result === undefined) return undefined;
  return result.steps.find((s) => s.rate === result.sustainableRate && s.verdict.sustainable && isSearch(s));
}
