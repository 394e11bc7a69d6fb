import { sustainableStep, type ScenarioResult } from './scenarios.js';
import type { SoakResult } from './soak.js';
import type { StoreCeiling } from './store-ceiling.js';
import type { ScenarioName, StepResult } from './types.js';

/** The headline of one scenario: its sustainable step. */
export interface Headline {
  readonly rate: number;
  /** accepted/s for intake, completed/s otherwise. */
  readonly throughput: number | null;
  readonly intakeP99Ms: number | null;
  readonly completedP99Ms: number | null;
  readonly cpuPer1000S: number | null;
}

/** Confirmation runs at one rate side by side. */
export interface ConfirmSpread {
  readonly rate: number;
  readonly throughputs: readonly (number | null)[];
  readonly p99sMs: readonly (number | null)[];
  /** |a − b| / mean of the throughputs, in %. */
  readonly spreadPercent: number | null;
}

export type GoalStatus = 'met' | 'not met' | 'not measured';

/** One line of the Goals table. */
export interface Goal {
  readonly goal: string;
  readonly status: GoalStatus;
  readonly measured: string;
}

/** What the report leads with. */
export interface Summary {
  readonly headlines: Readonly<Partial<Record<ScenarioName | 'baseline', Headline>>>;
  readonly writesPerOrder: number | null;
  readonly statementsPerOrder: number | null;
  readonly readsPerOrder: number | null;
  /** Why store traffic is missing, when it is. */
  readonly storeNote: string | null;
  /** Pipeline completed/s ÷ (store single inserts/s ÷ writes per order). */
  readonly shareOfCeiling: number | null;
  /** sustainable(batching on) / sustainable(BATCHING=off). */
  readonly baselineRatio: number | null;
  readonly acceptedCv: Readonly<Partial<Record<ScenarioName, number | null>>>;
  readonly confirmSpread: Readonly<Partial<Record<ScenarioName, ConfirmSpread>>>;
  readonly goals: readonly Goal[];
}

/** Goal thresholds (report only: a missed goal never fails the run). */
export const GOALS = {
  intakePerSec: 5_000,
  pipelinePerSec: 1_500,
  baselineRatio: 3,
  cpuPer1000S: 1,
} as const;

/** The processes the RSS goal is about. */
const SERVICES: readonly string[] = ['api', 'processor', 'notifier', 'scheduler'];

/** Shapes the headline numbers and checks the goals. */
export function buildSummary(input: {
  readonly scenarios: readonly ScenarioResult[];
  readonly baseline: ScenarioResult | null;
  readonly ceiling: StoreCeiling | null;
  readonly soak: SoakResult | null;
  /** The soak was asked for (`--soak`): without a result, it was skipped. */
  readonly soakAsked?: boolean;
}): Summary {
  const byName = (name: ScenarioName) => input.scenarios.find((s) => s.name === name);
  const headlines: Partial<Record<ScenarioName | 'baseline', Headline>> = {};
  for (const scenario of input.scenarios) {
    const headline = headlineOf(scenario);
    if (headline) headlines[scenario.name] = headline;
  }
  const baselineHeadline = input.baseline ? headlineOf(input.baseline) : undefined;
  if (baselineHeadline) headlines.baseline = baselineHeadline;

  const pipeline = byName('pipeline');
  const pipelineStep = sustainableStep(pipeline) ?? pipeline?.steps.at(-1);
  const store = pipelineStep?.store ?? null;
  const writesPerOrder = store?.writesPerOrder ?? null;
  const pipelineThroughput = headlines.pipeline?.throughput ?? null;
  const shareOfCeiling =
    pipelineThroughput !== null && writesPerOrder && input.ceiling && input.ceiling.singleInsertsPerSec > 0
      ? pipelineThroughput / (input.ceiling.singleInsertsPerSec / writesPerOrder)
      : null;
  const baselineRatio =
    headlines.pipeline && headlines.baseline ? headlines.pipeline.rate / headlines.baseline.rate : null;

  const acceptedCv: Partial<Record<ScenarioName, number | null>> = {};
  const confirmSpread: Partial<Record<ScenarioName, ConfirmSpread>> = {};
  for (const scenario of input.scenarios) {
    acceptedCv[scenario.name] = sustainableStep(scenario)?.acceptedCv ?? null;
    const confirms = confirmationsCompared(scenario);
    if (confirms.length > 0) confirmSpread[scenario.name] = spreadOf(confirms);
  }

  return {
    headlines,
    writesPerOrder,
    statementsPerOrder: store?.statementsPerOrder ?? null,
    readsPerOrder: store?.readsPerOrder ?? null,
    storeNote: pipelineStep === undefined ? 'pipeline not run' : store === null ? 'not exposed' : null,
    shareOfCeiling,
    baselineRatio,
    acceptedCv,
    confirmSpread,
    goals: checkGoals(
      headlines,
      baselineRatio,
      input.soak,
      input.soakAsked ?? false,
      input.baseline !== null,
      new Set(input.scenarios.map((s) => s.name)),
    ),
  };
}

function headlineOf(scenario: ScenarioResult): Headline | undefined {
  const step = sustainableStep(scenario);
  if (!step) return undefined;
  return {
    rate: step.rate,
    throughput: scenario.name === 'intake' ? step.acceptedPerSec : step.completedPerSec,
    intakeP99Ms: step.intake.latency.p99Ms,
    completedP99Ms: step.createdToCompleted.p99Ms,
    cpuPer1000S: step.cpuPer1000.totalS,
  };
}

/**
 * Confirmations at one rate, so that their spread is noise: the sustainable rate's, else
 * those of the rate confirmed most often (the higher on a tie).
 */
function confirmationsCompared(scenario: ScenarioResult): StepResult[] {
  const confirms = scenario.steps.filter((s) => s.phase === 'confirm');
  const runsAt = (rate: number) => confirms.filter((s) => s.rate === rate).length;
  const rates = [...new Set(confirms.map((s) => s.rate))].sort((a, b) => runsAt(b) - runsAt(a) || b - a);
  const rate = scenario.sustainableRate ?? rates[0];
  return confirms.filter((s) => s.rate === rate);
}

function spreadOf(confirms: readonly StepResult[]): ConfirmSpread {
  const throughputs = confirms.map((s) => (s.scenario === 'intake' ? s.acceptedPerSec : s.completedPerSec));
  const known = throughputs.filter((t): t is number => t !== null);
  const mean = known.reduce((a, b) => a + b, 0) / (known.length || 1);
  const spreadPercent = known.length >= 2 && mean > 0 ? ((Math.max(...known) - Math.min(...known)) / mean) * 100 : null;
  const p99sMs = confirms.map((s) => (s.scenario === 'intake' ? s.intake.latency.p99Ms : s.createdToCompleted.p99Ms));
  return { rate: confirms[0]?.rate ?? 0, throughputs, p99sMs, spreadPercent };
}

/** The Goals table: met / not met / not measured, never a failure of the run. */
export function checkGoals(
  headlines: Summary['headlines'],
  baselineRatio: number | null,
  soak: SoakResult | null,
  soakAsked: boolean,
  baselineRun: boolean,
  ran: ReadonlySet<ScenarioName>,
): Goal[] {
  const n = (value: number | null | undefined, digits = 0) => (value == null ? 'n/a' : value.toFixed(digits));
  const notRun = (name: ScenarioName) => (ran.has(name) ? 'no sustainable step' : `${name} not run`);
  const goals: Goal[] = [];
  const intake = headlines.intake;
  goals.push({
    goal: `Intake ≥ ${GOALS.intakePerSec.toLocaleString('en-US')} accepted/s with p99 ≤ 50 ms`,
    status: !ran.has('intake') ? 'not measured' : (intake?.throughput ?? 0) >= GOALS.intakePerSec ? 'met' : 'not met',
    measured: intake ? `${n(intake.throughput)}/s at p99 ${n(intake.intakeP99Ms, 1)} ms` : notRun('intake'),
  });
  const pipeline = headlines.pipeline;
  goals.push({
    goal: `Pipeline ≥ ${GOALS.pipelinePerSec.toLocaleString('en-US')} completed/s with created→completed p99 ≤ 1 s`,
    status: !ran.has('pipeline')
      ? 'not measured'
      : (pipeline?.throughput ?? 0) >= GOALS.pipelinePerSec
        ? 'met'
        : 'not met',
    measured: pipeline ? `${n(pipeline.throughput)}/s at p99 ${n(pipeline.completedP99Ms, 1)} ms` : notRun('pipeline'),
  });
  const baseline = headlines.baseline;
  goals.push({
    goal: `≥ ${GOALS.baselineRatio}× the BATCHING=off sustainable pipeline rate at equal or better p99`,
    // A ratio needs a sustainable rate on both sides; without one it is not measured.
    status:
      !baselineRun || baselineRatio === null
        ? 'not measured'
        : baselineRatio >= GOALS.baselineRatio &&
            (pipeline?.completedP99Ms ?? Infinity) <= (baseline?.completedP99Ms ?? 0)
          ? 'met'
          : 'not met',
    measured: !baselineRun
      ? 'baseline not run (--baseline)'
      : baselineRatio === null
        ? `no ratio: ${[pipeline ? null : 'the pipeline', baseline ? null : 'the baseline'].filter(Boolean).join(' and ')} sustained none of the rates tried`
        : `${n(baselineRatio, 2)}× (p99 ${n(pipeline?.completedP99Ms, 1)} ms vs ${n(baseline?.completedP99Ms, 1)} ms)`,
  });
  goals.push({
    goal: `≤ ${GOALS.cpuPer1000S} CPU-second per 1,000 completed orders across all processes`,
    status: !ran.has('pipeline')
      ? 'not measured'
      : pipeline?.cpuPer1000S != null && pipeline.cpuPer1000S <= GOALS.cpuPer1000S
        ? 'met'
        : 'not met',
    measured: pipeline ? `${n(pipeline.cpuPer1000S, 2)} CPU-s per 1,000 at ${pipeline.rate}/s` : notRun('pipeline'),
  });
  const drifts = soak ? Object.entries(soak.drift).filter(([name]) => SERVICES.includes(name)) : [];
  const worst = drifts.sort((a, b) => Math.abs(b[1].changePercent) - Math.abs(a[1].changePercent))[0];
  goals.push({
    goal: 'RSS of every service within ±10 % over the soak',
    status: !soak ? 'not measured' : drifts.every(([, d]) => d.flat) ? 'met' : 'not met',
    measured: !soak
      ? soakAsked
        ? 'soak skipped: it runs at 70 % of a sustainable pipeline rate, and there was none (or at --soak-rate)'
        : 'no soak (--soak)'
      : worst
        ? `largest change ${worst[0]} ${worst[1].changePercent.toFixed(1)} % over ${soak.minutes} min at ` +
          `${soak.rate}/s${soak.basis === 'asked' ? ' (a rate given by --soak-rate)' : ''}`
        : 'no samples',
  });
  return goals;
}
