import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { BenchOptions } from './cli.js';
import type { MachineFacts, ServerFacts } from './machine.js';
import { num, table } from './markdown.js';
import { renderMarkdown } from './report-markdown.js';
import { replaceBenchSection } from './readme.js';
import type { ScenarioResult } from './scenarios.js';
import type { SoakResult } from './soak.js';
import type { StoreCeiling } from './store-ceiling.js';
import type { Summary } from './summary.js';

/** One stack the run started. */
export interface StackFacts {
  readonly label: string;
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly backend: string;
  readonly backendNote: string;
  readonly natsExternal: boolean;
  readonly mongoExternal: boolean;
  readonly servers: ServerFacts | null;
  /** Orders in its database when it stopped (the database is not reset between steps). */
  readonly ordersAtEnd: number | null;
}

/** Everything one run measured: `<out>/<mode>.json`. */
export interface BenchReport {
  readonly mode: 'quick' | 'full';
  readonly argv: readonly string[];
  readonly options: BenchOptions;
  readonly machine: MachineFacts;
  readonly stacks: readonly StackFacts[];
  readonly elapsedS: number;
  readonly storeCeiling: StoreCeiling | null;
  readonly scenarios: readonly ScenarioResult[];
  readonly baseline: ScenarioResult | null;
  readonly soak: SoakResult | null;
  /** Highest sampled RSS per process over the main stack's run. */
  readonly peakRssBytes: Readonly<Record<string, number>>;
  /** VmHWM per process when the main stack's load ended. */
  readonly highWaterBytes: Readonly<Record<string, number>>;
  /** Orders of pipeline-type steps still not terminal at the end: a harness failure when > 0. */
  readonly lostAtEnd: number;
  /** Orders still in flight at the end while the pipeline kept finishing orders. */
  readonly lateAtEnd: number;
  readonly notes: readonly string[];
  readonly summary: Summary;
}

/** Writes `<out>/<mode>.json` and `<out>/<mode>.md`; returns their paths. */
export async function writeReport(report: BenchReport, outDir: string): Promise<{ json: string; md: string }> {
  await mkdir(outDir, { recursive: true });
  const json = join(outDir, `${report.mode}.json`);
  const md = join(outDir, `${report.mode}.md`);
  await writeFile(json, await formatted(json, `${JSON.stringify(report, null, 2)}\n`));
  await writeFile(md, await formatted(md, renderMarkdown(report)));
  return { json, md };
}

/** `text` as the repository's Prettier settings format it, so kept results pass `npm run lint`. */
async function formatted(path: string, text: string): Promise<string> {
  const options = (await resolveConfig(path)) ?? {};
  return format(text, { ...options, filepath: path });
}

/** The command that made a report, with the flags that shape its numbers (not where it writes). */
export function commandOf(argv: readonly string[]): string {
  const flags = argv.filter((flag) => flag !== '--update-readme');
  return flags.length === 0 ? 'npm run bench' : `npm run bench -- ${flags.join(' ')}`;
}

/** The short table README.md carries: sustainable rates, p99s, CPU-s per 1,000, goals. */
export function readmeSummary(report: BenchReport): string {
  const { summary } = report;
  const rows = (['intake', 'pipeline', 'mixed', 'baseline'] as const).flatMap((name) => {
    const h = summary.headlines[name];
    const ran = name === 'baseline' ? report.baseline !== null : report.scenarios.some((s) => s.name === name);
    if (!ran) return [];
    const label = name === 'baseline' ? 'pipeline, BATCHING=off' : name;
    if (!h) return [[label, 'none sustainable', 'n/a', 'n/a', 'n/a']];
    return [
      [
        label,
        `${num(h.rate)}/s (${num(h.throughput)}/s ${name === 'intake' ? 'accepted' : 'completed'})`,
        num(h.intakeP99Ms, 1),
        name === 'intake' ? '—' : num(h.completedP99Ms, 1),
        num(h.cpuPer1000S, 2),
      ],
    ];
  });
  const m = report.machine;
  return [
    `Last run: \`${commandOf(report.argv)}\`, ${m.date.slice(0, 10)}, ` +
      `${m.cores} × ${m.cpuModel}, Node ${m.node}, FerretDB ${report.stacks[0]?.servers?.ferretdb ?? '?'} ` +
      `(${report.stacks[0]?.backend ?? '?'})${m.gitCommit ? `, commit ${m.gitCommit}` : ''}.`,
    '',
    table(['scenario', 'sustainable rate', 'intake p99 ms', 'created→completed p99 ms', 'CPU-s / 1,000 orders'], rows),
    '',
    table(
      ['goal', 'status', 'measured'],
      summary.goals.map((g) => [g.goal, g.status, g.measured]),
    ),
  ].join('\n');
}

/** Puts the summary between the bench markers of `readmePath` (adding the section when missing). */
export async function updateReadme(report: BenchReport, readmePath: string): Promise<void> {
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, await formatted(readmePath, replaceBenchSection(readme, readmeSummary(report))));
}
