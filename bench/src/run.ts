import type { BenchOptions } from './cli.js';
import type { ProcessSampler } from './proc.js';
import type { StackFacts } from './report.js';
import { longestStepMs, modeOf, runSingle, runStepped, scenarioConfig, type ScenarioResult } from './scenarios.js';
import { openSession, type Session } from './session.js';
import { rssDrift, SOAK_SAMPLE_MS, SOAK_SHARE, thinSeries, type SoakResult } from './soak.js';
import { startStack, type Stack } from './stack.js';
import { runStep } from './step.js';
import { measureStoreCeiling, type StoreCeiling } from './store-ceiling.js';

/** What the run needs from main: options, the sampler, where stacks are registered for Ctrl-C. */
export interface RunEnvironment {
  readonly options: BenchOptions;
  readonly sampler: ProcessSampler;
  /** Makes `stack` the one the sampler measures (undefined: none). */
  measure(stack: Stack | undefined): void;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
  /** When the bench started (wall clock): the quick mode's time budget counts from it. */
  readonly startedAtMs: number;
}

/** Everything measured on the main stack. */
export interface MainRun {
  readonly stack: StackFacts;
  readonly ceiling: StoreCeiling | null;
  readonly scenarios: ScenarioResult[];
  readonly soak: SoakResult | null;
  readonly peakRssBytes: Record<string, number>;
  readonly highWaterBytes: Record<string, number>;
  /** Accepted orders never terminal while the pipeline had stopped finishing any. */
  readonly lostAtEnd: number;
  /** Accepted orders not yet terminal at the end while the pipeline was still finishing orders. */
  readonly lateAtEnd: number;
  readonly notes: string[];
}

const FINAL_DRAIN_MS = 30_000;
const FINAL_DRAIN_QUICK_MS = 10_000;
// `npm run bench -- --quick` must end within 3 minutes, build and stack stop included:
// the scenarios get this long from the bench's start.
const QUICK_SCENARIOS_MS = 125_000;

/**
 * Starts a stack, runs `work` against it, and always stops it again. The pipeline-type
 * orders still not terminal after a last drain are counted as lost.
 */
async function withStack<T>(
  env: RunEnvironment,
  label: string,
  extraEnv: Record<string, string>,
  work: (stack: Stack, session: Session) => Promise<T>,
): Promise<{ result: T; facts: StackFacts }> {
  env.say(`starting stack ${label}${Object.keys(extraEnv).length > 0 ? ` with ${JSON.stringify(extraEnv)}` : ''}…`);
  const stack = await startStack({ label, extraEnv, log: env.say, cpuProfileDir: env.options.cpuProfileDir });
  env.measure(stack);
  if (env.options.keepLogs) stack.keepLogs('--keep-logs');
  let session: Session | undefined;
  try {
    session = await openSession(stack, env.sampler, {
      connections: env.options.connections,
      maxOutstanding: env.options.maxOutstanding,
      probeTimeoutMs: env.options.mode === 'quick' ? 5_000 : 20_000,
      signal: env.signal,
      log: env.say,
    });
    const result = await work(stack, session);
    const facts: StackFacts = {
      label,
      extraEnv: { ...extraEnv, ...stack.storeEnv },
      backend: stack.backend,
      backendNote: stack.backendNote,
      natsExternal: stack.natsExternal,
      mongoExternal: stack.mongoExternal,
      servers: session.servers,
      ordersAtEnd: await session.orders(),
    };
    return { result, facts };
  } finally {
    await session?.close();
    env.measure(undefined);
    env.say(`stopping stack ${label}…`);
    await stack.stop();
  }
}

/** The store ceiling, then pipeline, mixed, the soak and last intake (whose backlog no other step should inherit). */
export async function runMain(env: RunEnvironment): Promise<MainRun> {
  const { options, say } = env;
  const mode = modeOf(options);
  const { result, facts } = await withStack(env, 'main', {}, async (stack, session) => {
    const startedMs = Date.now();
    const notes: string[] = [];
    say('measuring the store ceiling…');
    const ceiling = await measureStoreCeiling(stack.mongoUrl, mode.quick ? 3 : 5).catch((error: unknown) => {
      notes.push(`store ceiling failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    if (ceiling) {
      say(
        `store ceiling: ${ceiling.batchDocumentsPerSec.toFixed(0)} docs/s batched, ` +
          `${ceiling.singleInsertsPerSec.toFixed(0)} insertOne/s`,
      );
    }
    const scenarios: ScenarioResult[] = [];
    const wants = (name: string) => (options.scenarios as readonly string[]).includes(name);
    const deadlines = quickDeadlines(env, wants);
    const finalDrainMs = mode.quick ? FINAL_DRAIN_QUICK_MS : FINAL_DRAIN_MS;
    let seed = 1;
    if (wants('pipeline')) {
      const config = scenarioConfig('pipeline', mode);
      scenarios.push(await runStepped(session.ctx, config, (seed += 100), deadlines?.pipeline));
    }
    const pipeline = scenarios.find((s) => s.name === 'pipeline');
    if (wants('mixed')) {
      const config = scenarioConfig('mixed', mode);
      if (mode.quick) {
        const base = pipeline?.sustainableRate ?? null;
        // Without a sustainable rate: half the lowest rate the pipeline was offered.
        const tried = (pipeline?.steps ?? []).map((s) => s.rate);
        const fallback = tried.length > 0 ? Math.min(...tried) : scenarioConfig('pipeline', mode).plan.startRate / 1.6;
        const rate = Math.max(1, Math.round((base ?? fallback) / 2));
        const note =
          base === null
            ? `one step at ${rate}/s, half the lowest pipeline rate tried (none was sustainable)`
            : `one step at the pipeline's sustainable rate ÷ 2 = ${rate}/s`;
        scenarios.push(await runSingle(session.ctx, config, rate, (seed += 100), note));
      } else {
        scenarios.push(await runStepped(session.ctx, config, (seed += 100)));
      }
    }

    let soak: SoakResult | null = null;
    if (options.soakMinutes !== undefined) {
      const sustainable = pipeline?.sustainableRate ?? null;
      if (options.soakRate !== undefined) {
        soak = await runSoak(env, session, { rate: options.soakRate, basis: 'asked' }, options.soakMinutes);
      } else if (sustainable === null) {
        notes.push('soak skipped: no sustainable pipeline rate (--soak-rate runs one at a rate of your choice)');
      } else {
        const rate = Math.max(1, Math.round(sustainable * SOAK_SHARE));
        soak = await runSoak(env, session, { rate, basis: 'share' }, options.soakMinutes);
      }
    }

    const pipelineWindows = (label: string) => !label.startsWith('intake/');
    const unfinished = await session.settleWindows(pipelineWindows, finalDrainMs);
    const lostAtEnd = unfinished.progressing ? 0 : unfinished.pending;
    const lateAtEnd = unfinished.progressing ? unfinished.pending : 0;
    if (lostAtEnd > 0) {
      say(`${lostAtEnd} accepted orders never reached a terminal status (the pipeline stalled)`);
      stack.keepLogs(`${lostAtEnd} accepted orders lost`);
    }
    const unanswered = scenarios.flatMap((s) => s.steps).find((s) => !s.storeAnswered);
    if (unanswered) {
      notes.push(
        `the store stopped answering counts within ${mode.quick ? 5 : 20} s from the ${unanswered.scenario} ` +
          `${unanswered.phase} step at ${unanswered.rate}/s on (wedged or saturated); the logs were kept`,
      );
      stack.keepLogs('the store stopped answering');
    }
    if (lateAtEnd > 0) {
      notes.push(
        `${lateAtEnd} accepted orders were still in flight after the last drain (${finalDrainMs / 1_000} s) while ` +
          'the pipeline kept finishing orders: late, not lost',
      );
    }

    if (wants('intake')) {
      scenarios.push(await runStepped(session.ctx, scenarioConfig('intake', mode), seed + 100, deadlines?.intake));
    }
    if (mode.quick) {
      notes.push(
        'quick mode: answers may trail a step by 3 s, drains wait at most 5 s (3 s for intake), and steps stop ' +
          'when the time budget would be exceeded; use the full mode for the 30 s drains',
      );
    }
    if (wants('intake') && wants('pipeline')) {
      notes.push('intake ran last: it offers more than the pipeline finishes, and its backlog would skew later steps');
    }
    const peakRssBytes = env.sampler.peakRss(startedMs, Date.now());
    const highWaterBytes = await env.sampler.highWaterMarks();
    const order = ['intake', 'pipeline', 'mixed'];
    scenarios.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    return { ceiling, scenarios, soak, peakRssBytes, highWaterBytes, lostAtEnd, lateAtEnd, notes };
  });
  return { stack: facts, ...result };
}

/**
 * Quick mode: when each stepped scenario must stop stepping so that the later ones still
 * get their first steps within the budget. Undefined in full mode.
 */
function quickDeadlines(env: RunEnvironment, wants: (name: string) => boolean) {
  if (env.options.mode !== 'quick') return undefined;
  const mode = modeOf(env.options);
  const end = env.startedAtMs + QUICK_SCENARIOS_MS;
  const mixed = wants('mixed') ? longestStepMs(scenarioConfig('mixed', mode)) : 0;
  const intake = wants('intake') ? longestStepMs(scenarioConfig('intake', mode)) : 0;
  return { pipeline: end - mixed - FINAL_DRAIN_QUICK_MS - intake, intake: end };
}

/** The pipeline stepped on a second stack with BATCHING=off. */
export async function runBaseline(env: RunEnvironment): Promise<{ stack: StackFacts; pipeline: ScenarioResult }> {
  const mode = modeOf(env.options);
  const { result, facts } = await withStack(env, 'baseline', { BATCHING: 'off' }, (_stack, session) =>
    runStepped(session.ctx, scenarioConfig('pipeline', mode), 9_001),
  );
  return { stack: facts, pipeline: result };
}

async function runSoak(
  env: RunEnvironment,
  session: Session,
  { rate, basis }: Pick<SoakResult, 'rate' | 'basis'>,
  minutes: number,
): Promise<SoakResult> {
  env.say(`soak: ${minutes} min at ${rate}/s…`);
  const startMs = Date.now();
  const step = await runStep(session.ctx, {
    scenario: 'pipeline',
    phase: 'soak',
    rate,
    durationS: Math.round(minutes * 60),
    mix: {},
    sideLoad: false,
    drainTimeoutMs: 30_000,
    graceMs: 30_000,
    settleMs: 2_000,
    seed: 77_777,
  });
  const loadEndMs = startMs + minutes * 60_000;
  const samples = env.sampler.rssSeries(startMs).filter((s) => s.atMs <= loadEndMs);
  return {
    minutes,
    rate,
    basis,
    step,
    drift: rssDrift(samples, startMs, loadEndMs),
    series: thinSeries(samples, startMs, SOAK_SAMPLE_MS),
  };
}
