/**
 * `npm run bench`: an open-loop benchmark of the local stack. Starts NATS, FerretDB, the
 * payment simulator and the four services, steps the offered rate of each scenario until
 * it is no longer sustainable, and writes `<out>/<mode>.json` and `<out>/<mode>.md`.
 * Missed goals are reported, never fatal; the exit code is non-zero only when the harness
 * fails (a service does not start or dies). Orders the pipeline did not finish are
 * reported (they are stored: the api answers 202 only after the append), not fatal.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseCli, USAGE, UsageError, type BenchOptions } from './cli.js';
import { machineFacts } from './machine.js';
import { clockTicksPerSecond, LOADGEN, startProcessSampler } from './proc.js';
import { updateReadme, writeReport, type BenchReport } from './report.js';
import { runBaseline, runMain } from './run.js';
import type { Stack } from './stack.js';
import { buildSummary } from './summary.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const startedAt = performance.now();
const startedAtMs = Date.now();
const say = (line: string) => process.stdout.write(`${'bench'.padEnd(6)}│ ${line}\n`);
const elapsedS = () => (performance.now() - startedAt) / 1_000;

const abort = new AbortController();
let measured: Stack | undefined;
let interrupted = false;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  if (interrupted) {
    say(`${signal} again: exiting without waiting`);
    process.exit(130);
  }
  interrupted = true;
  say(`${signal}: stopping…`);
  abort.abort();
  await measured?.stop().catch(() => undefined);
  process.exit(130);
}
process.on('SIGINT', (signal) => void onSignal(signal));
process.on('SIGTERM', (signal) => void onSignal(signal));

async function main(options: BenchOptions): Promise<number> {
  for (const flag of options.ignored) say(`ignored: ${flag}`);
  say(`mode ${options.mode}: scenarios ${options.scenarios.join(', ')}, steps of ${options.stepSeconds} s`);
  const machine = await machineFacts(root);
  const sampler = startProcessSampler(
    () => [...(measured?.processes() ?? []), { name: LOADGEN, pid: process.pid, alone: true }],
    await clockTicksPerSecond(),
  );
  const env = {
    options,
    sampler,
    measure: (stack: Stack | undefined) => (measured = stack),
    signal: abort.signal,
    say,
    startedAtMs,
  };
  try {
    const main = await runMain(env);
    const notes = [...main.notes];
    let baseline = null;
    const baselineStacks = [];
    if (options.baseline && options.scenarios.includes('pipeline') && !abort.signal.aborted) {
      const run = await runBaseline(env);
      baseline = run.pipeline;
      baselineStacks.push(run.stack);
    } else if (options.baseline) {
      notes.push('baseline skipped: it steps the pipeline scenario, which was not selected');
    }
    for (const stack of [main.stack, ...baselineStacks]) {
      if (stack.natsExternal) notes.push(`stack ${stack.label}: NATS_URL is set, so nats-server has no pid to measure`);
      if (stack.mongoExternal) notes.push(`stack ${stack.label}: MONGO_URL is set, so the store has no pid to measure`);
    }
    const summary = buildSummary({
      scenarios: main.scenarios,
      baseline,
      ceiling: main.ceiling,
      soak: main.soak,
      soakAsked: options.soakMinutes !== undefined,
    });
    const report: BenchReport = {
      mode: options.mode,
      argv: process.argv.slice(2),
      options,
      machine,
      stacks: [main.stack, ...baselineStacks],
      elapsedS: elapsedS(),
      storeCeiling: main.ceiling,
      scenarios: main.scenarios,
      baseline,
      soak: main.soak,
      peakRssBytes: main.peakRssBytes,
      highWaterBytes: main.highWaterBytes,
      lostAtEnd: main.lostAtEnd,
      lateAtEnd: main.lateAtEnd,
      notes,
      summary,
    };
    const paths = await writeReport(report, options.outDir);
    if (options.updateReadme) await updateReadme(report, `${root}README.md`);
    printHeadlines(report);
    say(`report: ${paths.md} and ${paths.json}${options.updateReadme ? '; README.md updated' : ''}`);
    say(`elapsed ${elapsedS().toFixed(1)} s`);
    if (main.lostAtEnd > 0) {
      say(
        `${main.lostAtEnd} accepted orders were not terminal when the run ended: the pipeline stalled (see the report)`,
      );
    }
    return 0;
  } finally {
    sampler.stop();
  }
}

function printHeadlines(report: BenchReport): void {
  const n = (v: number | null | undefined, d = 0) => (v == null ? 'n/a' : v.toFixed(d));
  for (const [name, h] of Object.entries(report.summary.headlines)) {
    say(
      `${name.padEnd(9)} sustainable ${n(h.rate)}/s · throughput ${n(h.throughput)}/s · intake p99 ${n(h.intakeP99Ms, 1)} ms` +
        ` · created→completed p99 ${n(h.completedP99Ms, 1)} ms · CPU-s/1000 ${n(h.cpuPer1000S, 2)}`,
    );
  }
  for (const goal of report.summary.goals) say(`goal: ${goal.goal}: ${goal.status} (${goal.measured})`);
}

let options: BenchOptions;
try {
  options = parseCli(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
main(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`harness failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
