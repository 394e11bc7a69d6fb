import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { isDrained, type BacklogReader } from './backlog.js';
import type { CompletionTracker, OrderWindow } from './completions.js';
import { judgeStep } from './criteria.js';
import { coefficientOfVariation } from './histogram.js';
import { runOpenLoop } from './load.js';
import { mulberry32 } from '../../scripts/train-risk-model/seeded-random.js';
import { orderFactory, type OrderMix } from './orders.js';
import type { ProcessSampler } from './proc.js';
import { scrapeStoreCounters, storeTrafficBetween } from './prometheus.js';
import { openWatchers, recentOrders, runReads, WATCHERS } from './side-load.js';
import type { BacklogReading, ScenarioName, SideLoad, StepPhase, StepResult } from './types.js';

/** Counts the runner reads from the database. */
export interface StoreProbe {
  notifications(): Promise<number | null>;
  orders(): Promise<number | null>;
}

/** Everything a step needs from the running stack. */
export interface StepContext {
  readonly stackLabel: string;
  readonly apiUrl: string;
  readonly pool: Dispatcher;
  readonly tracker: CompletionTracker;
  readonly backlog: BacklogReader;
  readonly sampler: ProcessSampler;
  readonly probe: StoreProbe;
  readonly metricsUrls: Readonly<Record<string, string>>;
  readonly maxOutstanding: number;
  /** How long a count or a /metrics scrape may take before it counts as unanswered. */
  readonly probeTimeoutMs: number;
  readonly signal: AbortSignal;
  /** A service of the stack that died, if one did. */
  crashed(): string | undefined;
  /** Called with a line of progress. */
  readonly log: (line: string) => void;
}

/** One step to run. */
export interface StepRequest {
  readonly scenario: ScenarioName;
  readonly phase: StepPhase;
  readonly rate: number;
  readonly durationS: number;
  readonly mix: OrderMix;
  /** Reads and live streams alongside (mixed). */
  readonly sideLoad: boolean;
  /** Longest wait for backlog 0 and every accepted order terminal. */
  readonly drainTimeoutMs: number;
  /** How long answers may trail the load before open requests are cut off. */
  readonly graceMs: number;
  /** Pause after the drain so the store settles before the next step. */
  readonly settleMs: number;
  readonly seed: number;
}

const DRAIN_POLL_MS = 250;

/**
 * Offers `rate` orders/s for `durationS`, then waits for the pipeline to drain, and
 * measures answers, completions, backlog, CPU, memory and store traffic of the step.
 */
export async function runStep(ctx: StepContext, request: StepRequest): Promise<StepResult> {
  const { tracker, sampler } = ctx;
  const crash = ctx.crashed();
  if (crash !== undefined) throw new Error(`the stack is broken: ${crash}`);
  const label = `${request.scenario}/${request.phase}@${request.rate}`;
  const window = tracker.openWindow(label);
  const recent = recentOrders();
  const makeOrder = orderFactory(request.mix, mulberry32(request.seed));
  const [ordersBefore, notifiedBefore, countersBefore] = await Promise.all([
    ctx.probe.orders(),
    ctx.probe.notifications(),
    scrapeStoreCounters(ctx.metricsUrls, ctx.probeTimeoutMs),
  ]);
  const cpuStart = await sampler.mark();
  const durationMs = request.durationS * 1_000;

  const watchers = request.sideLoad ? await openWatchers(ctx.apiUrl, WATCHERS) : undefined;
  const reads = request.sideLoad
    ? runReads(ctx.pool, request.rate, durationMs, recent, ctx.maxOutstanding, request.graceMs, ctx.signal)
    : undefined;
  const intake = await runOpenLoop({
    dispatcher: ctx.pool,
    rate: request.rate,
    durationMs,
    maxOutstanding: ctx.maxOutstanding,
    graceMs: request.graceMs,
    signal: ctx.signal,
    wantJson: true,
    next: () => ({ method: 'POST', path: '/orders', body: JSON.stringify(makeOrder()) }),
    onAccepted(json) {
      const order = json as { id?: unknown; created_at?: unknown };
      if (typeof order.id !== 'string' || typeof order.created_at !== 'string') return;
      tracker.accept(window, order.id, order.created_at);
      recent.add(order.id);
    },
  });
  const loadEnd = await sampler.mark();
  const backlogEnd = await ctx.backlog.read();
  const readResult = await reads;
  const side: SideLoad | undefined =
    watchers && readResult
      ? { reads: readResult, watchers: watchers.opened, watchersRefused: watchers.refused, sseEvents: watchers.events }
      : undefined;
  await watchers?.close();

  const drainStarted = Date.now();
  const backlogAfterDrain = await drain(ctx, window, request.drainTimeoutMs);
  const drainMs = Date.now() - drainStarted;
  const drained = await sampler.mark();
  const [countersAfter, notifiedAfter] = await Promise.all([
    scrapeStoreCounters(ctx.metricsUrls, ctx.probeTimeoutMs),
    ctx.probe.notifications(),
  ]);

  const summary = tracker.summary(window);
  const intakeOnly = request.scenario === 'intake';
  // Intake is judged on its answers: its CPU and store traffic are those of the load window, per accepted order.
  const cpu = sampler.cpuBetween(cpuStart, intakeOnly ? loadEnd : drained);
  const orders = intakeOnly ? intake.accepted : summary.terminal;
  const per1000 = (seconds: number) => (orders > 0 ? (seconds / orders) * 1_000 : null);
  const cpuPer1000 = {
    totalS: per1000(cpu.totalS),
    perProcessS:
      orders > 0
        ? Object.fromEntries(Object.entries(cpu.perProcessS).map(([name, s]) => [name, (s / orders) * 1_000]))
        : {},
  };
  const apiOnly = (counters: typeof countersBefore) =>
    intakeOnly ? Object.fromEntries(Object.entries(counters).filter(([name]) => name === 'api')) : counters;
  const store = storeTrafficBetween(apiOnly(countersBefore), apiOnly(countersAfter), orders);
  // Completions trail the offered load; over an overloaded step they go on into the drain.
  const busySeconds = Math.max(durationMs, (window.lastTerminalAtMs ?? 0) - cpuStart.atMs) / 1_000 || request.durationS;
  const notified = notifiedBefore !== null && notifiedAfter !== null ? notifiedAfter - notifiedBefore : null;
  const lost = summary.pending;
  const verdict = judgeStep({
    scenario: request.scenario,
    rate: request.rate,
    sent: intake.sent,
    errors: intake.errors,
    notSent: intake.notSent,
    intakeP99Ms: intake.latency.p99Ms,
    completedP99Ms: summary.createdToCompleted.p99Ms,
    completed: summary.completed,
    backlogEnd: backlogEnd.total,
    lost,
  });
  const result: StepResult = {
    scenario: request.scenario,
    stack: ctx.stackLabel,
    phase: request.phase,
    rate: request.rate,
    durationS: request.durationS,
    intake,
    acceptedPerSec: intake.accepted / request.durationS,
    intakeThroughput: intake.accepted / Math.max(request.durationS, intake.answeredForS),
    completedPerSec: intakeOnly ? null : summary.completed / busySeconds,
    notifiedPerSec: intakeOnly || notified === null ? null : notified / busySeconds,
    createdToCompleted: summary.createdToCompleted,
    createdToTerminal: summary.createdToTerminal,
    terminalByType: summary.terminalByType,
    lost,
    drainMs,
    backlogEnd,
    backlogAfterDrain,
    cpu,
    cpuPer1000,
    peakRssBytes: sampler.peakRss(cpuStart.atMs, drained.atMs),
    store,
    acceptedCv: coefficientOfVariation(intake.acceptedPerSecond),
    ordersBefore,
    storeAnswered: notifiedAfter !== null,
    ...(side === undefined ? {} : { side }),
    verdict,
  };
  ctx.log(describeStep(result));
  if (request.settleMs > 0 && !ctx.signal.aborted) await sleep(request.settleMs);
  return result;
}

/** Waits until no consumer has a backlog and every order of the window is terminal, or the time is up. */
async function drain(ctx: StepContext, window: OrderWindow, timeoutMs: number): Promise<BacklogReading> {
  const deadline = Date.now() + timeoutMs;
  let reading = await ctx.backlog.read();
  while (Date.now() < deadline && !ctx.signal.aborted) {
    if (isDrained(reading) && window.pending.size === 0) break;
    await sleep(DRAIN_POLL_MS);
    reading = await ctx.backlog.read();
  }
  return reading;
}

/** One progress line per step. */
export function describeStep(step: StepResult): string {
  const n = (value: number | null, digits = 0) => (value === null ? 'n/a' : value.toFixed(digits));
  const r = (value: number | null) => n(value, value !== null && value < 10 ? 1 : 0);
  const parts = [
    `${step.scenario.padEnd(8)} ${step.phase.padEnd(7)} ${String(step.rate).padStart(6)}/s`,
    `accepted ${r(step.acceptedPerSec)}/s`,
    `p99 ${n(step.intake.latency.p99Ms, 1)} ms`,
  ];
  if (step.scenario !== 'intake') {
    parts.push(`completed ${r(step.completedPerSec)}/s`, `c→c p99 ${n(step.createdToCompleted.p99Ms, 1)} ms`);
  }
  parts.push(
    `backlog ${step.backlogEnd.total}`,
    step.verdict.sustainable ? 'ok' : `✗ ${step.verdict.failed.join('; ')}`,
  );
  return parts.join(' · ');
}
