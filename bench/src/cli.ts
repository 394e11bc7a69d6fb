import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type ScenarioName } from './types.js';

/** What one `npm run bench` does. */
export interface BenchOptions {
  readonly mode: 'quick' | 'full';
  readonly scenarios: readonly ScenarioName[];
  /** Also step the pipeline on a second stack with BATCHING=off. */
  readonly baseline: boolean;
  /** Minutes of soak after the stepping (full mode); undefined for none. */
  readonly soakMinutes: number | undefined;
  /** Orders/s of the soak; undefined for 70 % of the sustainable pipeline rate. */
  readonly soakRate: number | undefined;
  readonly stepSeconds: number;
  /** Rate every stepped scenario starts at (orders/s); undefined for the mode's own. */
  readonly startRate: number | undefined;
  readonly outDir: string;
  readonly updateReadme: boolean;
  /** Run every service with `--cpu-prof`, profiles under this directory. */
  readonly cpuProfileDir: string | undefined;
  /** Keep each stack's log directory (services' and servers' logs) after the run. */
  readonly keepLogs: boolean;
  /** Connections of the load pool. */
  readonly connections: number;
  /** Requests in flight beyond which due requests count as not sent. */
  readonly maxOutstanding: number;
  readonly help: boolean;
  /** Flags that were asked for but do not apply, with why. */
  readonly ignored: readonly string[];
}

/** Minutes of soak when `--soak` comes without a number. */
export const DEFAULT_SOAK_MINUTES = 10;

export const USAGE = `usage: npm run bench -- [options]
  --quick                  short steps, no bisection or confirmation (under 3 minutes)
  --scenarios LIST         comma-separated: ${SCENARIO_NAMES.join(',')} (default: all)
  --baseline, --no-baseline  also step the pipeline with BATCHING=off (default: on in full mode)
  --soak[=MINUTES]         full mode: run the pipeline at 70 % of its sustainable rate (default ${DEFAULT_SOAK_MINUTES} min)
  --soak-rate N            soak at N orders/s instead, so it runs even when no rate held (implies --soak)
  --step-seconds N         length of each step (default: quick 5, full 20)
  --start-rate N           rate every stepped scenario starts at (default: quick 50 intake / 20 pipeline,
                           full 1000 / 250); on a slow store, start near what it sustains
  --out DIR                where <mode>.json and <mode>.md go (default bench/results)
  --update-readme          put the summary between the bench markers in README.md
  --cpu-prof DIR           run every service with node --cpu-prof; profiles in DIR/<stack>/<service>/
  --keep-logs              keep each stack's logs (services, NATS, FerretDB) after the run; the path is printed
  --connections N          load pool connections (default 128)
  --max-outstanding N      requests in flight before due ones count as not_sent (default 20000)`;

/** Thrown for flags that cannot be used; the message is for the person at the terminal. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_BENCH_USAGE';
}

/**
 * `--soak` may come bare or with a number after it; parseArgs wants `--soak=N`, so
 * bare ones become `--soak=DEFAULT_SOAK_MINUTES`.
 */
export function normalizeArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg !== '--soak') out.push(arg);
    else if (/^\d+(\.\d+)?$/.test(argv[i + 1] ?? '')) out.push(`--soak=${argv[++i]}`);
    else out.push(`--soak=${DEFAULT_SOAK_MINUTES}`);
  }
  return out;
}

/** Parses the bench's arguments (after `--`). Throws UsageError on a bad flag or value. */
export function parseCli(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: normalizeArgs(argv),
      allowNegative: true,
      options: {
        quick: { type: 'boolean', default: false },
        scenarios: { type: 'string' },
        baseline: { type: 'boolean' },
        soak: { type: 'string' },
        'soak-rate': { type: 'string' },
        'step-seconds': { type: 'string' },
        'start-rate': { type: 'string' },
        out: { type: 'string', default: 'bench/results' },
        'update-readme': { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        'keep-logs': { type: 'boolean', default: false },
        connections: { type: 'string', default: '128' },
        'max-outstanding': { type: 'string', default: '20000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const quick = values.quick;
  const ignored: string[] = [];
  const scenarios = values.scenarios === undefined ? [...SCENARIO_NAMES] : parseScenarios(values.scenarios);
  let soakRate = values['soak-rate'] === undefined ? undefined : positive('--soak-rate', values['soak-rate']);
  let soakMinutes =
    values.soak !== undefined
      ? positive('--soak', values.soak)
      : soakRate !== undefined
        ? DEFAULT_SOAK_MINUTES
        : undefined;
  if (quick && soakMinutes !== undefined) {
    ignored.push(`${values.soak === undefined ? '--soak-rate' : '--soak'} (a full-mode option)`);
    soakMinutes = undefined;
    soakRate = undefined;
  }
  return {
    mode: quick ? 'quick' : 'full',
    scenarios,
    baseline: values.baseline ?? !quick,
    soakMinutes,
    soakRate,
    stepSeconds:
      values['step-seconds'] === undefined ? (quick ? 5 : 20) : positive('--step-seconds', values['step-seconds']),
    startRate: values['start-rate'] === undefined ? undefined : positive('--start-rate', values['start-rate']),
    outDir: values.out,
    updateReadme: values['update-readme'],
    cpuProfileDir: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
    keepLogs: values['keep-logs'],
    connections: Math.round(positive('--connections', values.connections)),
    maxOutstanding: Math.round(positive('--max-outstanding', values['max-outstanding'])),
    help: values.help,
    ignored,
  };
}

function parseScenarios(text: string): ScenarioName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--scenarios: expected some of ${SCENARIO_NAMES.join(', ')} (got "${text}")`);
  }
  return SCENARIO_NAMES.filter((n) => names.includes(n));
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag}: expected a positive number (got "${text}")`);
  return value;
}
