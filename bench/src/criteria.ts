import type { ScenarioName, StepPhase, Verdict } from './types.js';

/** Limits a step must stay within to count as sustainable. */
export const LIMITS = {
  intakeP99Ms: 50,
  errorRate: 0.001,
  completedP99Ms: 1_000,
  /** Backlog allowed at the end of a step: max(minBacklog, rate × backlogSeconds). */
  minBacklog: 100,
  backlogSeconds: 0.5,
} as const;

/** The measurements the verdict looks at. */
export interface StepMeasures {
  readonly scenario: ScenarioName;
  readonly rate: number;
  readonly sent: number;
  readonly errors: number;
  readonly notSent: number;
  readonly intakeP99Ms: number | null;
  readonly completedP99Ms: number | null;
  readonly completed: number;
  readonly backlogEnd: number;
  readonly lost: number;
}

/**
 * Whether a step was sustainable, with every criterion it failed. Intake looks at the
 * answers only; pipeline and mixed also at completion latency, backlog growth and lost
 * orders.
 */
export function judgeStep(m: StepMeasures): Verdict {
  const failed: string[] = [];
  const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
  if (m.sent === 0) failed.push('nothing was sent');
  if (m.intakeP99Ms === null || m.intakeP99Ms > LIMITS.intakeP99Ms) {
    failed.push(`intake p99 ${m.intakeP99Ms === null ? 'n/a' : fmt(m.intakeP99Ms)} ms > ${LIMITS.intakeP99Ms} ms`);
  }
  const errorRate = m.sent > 0 ? m.errors / m.sent : 0;
  if (errorRate > LIMITS.errorRate) failed.push(`errors ${fmt(errorRate * 100)} % > ${LIMITS.errorRate * 100} %`);
  if (m.notSent > 0) failed.push(`not_sent ${m.notSent} > 0`);
  if (m.scenario !== 'intake') {
    if (m.completed === 0) failed.push('no order completed');
    else if (m.completedP99Ms === null || m.completedP99Ms > LIMITS.completedP99Ms) {
      const shown = m.completedP99Ms === null ? 'n/a' : fmt(m.completedP99Ms);
      failed.push(`created→completed p99 ${shown} ms > ${LIMITS.completedP99Ms} ms`);
    }
    const allowed = backlogAllowance(m.rate);
    if (m.backlogEnd > allowed) failed.push(`backlog ${m.backlogEnd} > ${allowed}`);
    if (m.lost > 0) failed.push(`${m.lost} orders not terminal within the drain`);
  }
  return { sustainable: failed.length === 0, failed };
}

/** The backlog a step may end with at `rate` orders/s. */
export function backlogAllowance(rate: number): number {
  return Math.max(LIMITS.minBacklog, Math.round(rate * LIMITS.backlogSeconds));
}

/** How one scenario steps its rate. */
export interface SteppingPlan {
  readonly startRate: number;
  readonly factor: number;
  /** Ramp (and step-down) steps at most. */
  readonly maxSteps: number;
  /** Steps down from a start rate that is already too high, at most. */
  readonly maxStepDowns: number;
  /** One step between the last good and the first bad rate. */
  readonly bisect: boolean;
  /** Runs at the sustainable rate once the search is over. */
  readonly confirmRuns: number;
}

/** A step already run, as far as the plan is concerned. */
export interface StepRecord {
  readonly phase: StepPhase;
  readonly rate: number;
  readonly sustainable: boolean;
  /** What the system actually got through (orders/s), when known: a step down aims below it. */
  readonly capacity?: number | null;
}

/** A step down aims at this share of the capacity the failed step measured. */
export const STEP_DOWN_CAPACITY_SHARE = 0.8;

/** The next step to run, or undefined when the scenario is done. */
export type NextStep = { readonly phase: StepPhase; readonly rate: number } | undefined;

/** Rates whose confirmations may fail before the search gives up confirming any. */
export const MAX_REFUTED_RATES = 3;

/** A step of the search (ramp, down, bisect, single): not a confirmation or the soak. */
export const isSearch = (s: { readonly phase: StepPhase }) => s.phase !== 'confirm' && s.phase !== 'soak';

/** Rates a confirmation failed at: what a short step sustained, a long one did not. */
export function refutedRates(history: readonly StepRecord[]): number[] {
  return [...new Set(history.filter((s) => s.phase === 'confirm' && !s.sustainable).map((s) => s.rate))];
}

/** The highest rate a search step sustained that no confirmation has refuted. */
function candidateRate(history: readonly StepRecord[]): number | undefined {
  const refuted = new Set(refutedRates(history));
  const rates = history.filter((s) => isSearch(s) && s.sustainable && !refuted.has(s.rate)).map((s) => s.rate);
  return rates.length > 0 ? Math.max(...rates) : undefined;
}

/** Confirmations at `rate` that held. */
function heldAt(history: readonly StepRecord[], rate: number): number {
  return history.filter((s) => s.phase === 'confirm' && s.rate === rate && s.sustainable).length;
}

/**
 * Decides the next step: multiply the rate by `factor` while steps are sustainable (up to
 * `maxSteps`); when even the start rate was not, step down below what the failed step got
 * through (or by `factor`); then bisect once between the highest good and the lowest bad
 * rate, then confirm the highest good rate. A confirmation that fails refutes its rate, and
 * the next lower good rate is confirmed instead (at most `MAX_REFUTED_RATES` refuted).
 */
export function nextStep(plan: SteppingPlan, history: readonly StepRecord[]): NextStep {
  const search = history.filter((s) => s.phase === 'ramp' || s.phase === 'down');
  const last = search.at(-1);
  if (last === undefined) return { phase: 'ramp', rate: plan.startRate };
  const anyGood = search.some((s) => s.sustainable);
  const searching = !history.some((s) => s.phase === 'bisect' || s.phase === 'confirm');
  if (searching && search.length < plan.maxSteps) {
    if (last.sustainable && last.phase === 'ramp') return { phase: 'ramp', rate: Math.round(last.rate * plan.factor) };
    const downs = search.filter((s) => s.phase === 'down').length;
    if (!anyGood && downs < plan.maxStepDowns && last.rate > 1) {
      const byFactor = last.rate / plan.factor;
      const byCapacity = last.capacity ? last.capacity * STEP_DOWN_CAPACITY_SHARE : byFactor;
      return { phase: 'down', rate: Math.max(1, Math.round(Math.min(byFactor, byCapacity))) };
    }
  }
  const good = candidateRate(history);
  const bad = lowestBadRate(history, good);
  if (plan.bisect && good !== undefined && bad !== undefined && !history.some((s) => s.phase === 'bisect')) {
    const rate = Math.round((good + bad) / 2);
    if (rate > good && rate < bad) return { phase: 'bisect', rate };
  }
  if (good === undefined || refutedRates(history).length >= MAX_REFUTED_RATES) return undefined;
  return heldAt(history, good) < plan.confirmRuns ? { phase: 'confirm', rate: good } : undefined;
}

/**
 * The sustainable rate: the highest rate a search step (ramp, down, bisect, single)
 * sustained; when the plan confirms (`confirmRuns` > 0), only once that many confirmations
 * at it held and none failed. Undefined if none.
 */
export function sustainableRate(history: readonly StepRecord[], confirmRuns = 0): number | undefined {
  const good = candidateRate(history);
  return good !== undefined && heldAt(history, good) >= confirmRuns ? good : undefined;
}

function lowestBadRate(history: readonly StepRecord[], above: number | undefined): number | undefined {
  const rates = history.filter((s) => isSearch(s) && !s.sustainable && s.rate > (above ?? 0)).map((s) => s.rate);
  return rates.length > 0 ? Math.min(...rates) : undefined;
}
