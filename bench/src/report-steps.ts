import { num, pairs, percentiles, perSec, table } from './markdown.js';
import type { BenchReport } from './report.js';
import type { ScenarioResult } from './scenarios.js';
import type { StepResult, StoreTraffic } from './types.js';

const STEP_HEADERS = [
  'phase',
  'rate offered /s',
  'accepted /s',
  'completed /s',
  'notified /s',
  'intake p50 / p95 / p99 / max ms',
  'created→completed p50 / p95 / p99 / max ms',
  'errors by status',
  'not_sent',
  'backlog at end',
  'not terminal',
  'CPU-s / 1,000 orders',
  'CPU-s / 1,000 by process',
  'sustainable',
];

/** The backlog total with the consumers that had one. */
function backlogCell(step: StepResult): string {
  const busy = Object.entries(step.backlogEnd.perConsumer).filter(([, n]) => n !== null && n > 0) as [string, number][];
  return busy.length === 0
    ? num(step.backlogEnd.total)
    : `${num(step.backlogEnd.total)} (${pairs(Object.fromEntries(busy))})`;
}

/** One row of a scenario's step table. */
export function stepRow(step: StepResult): string[] {
  const intake = step.scenario === 'intake';
  const errors = Object.fromEntries(Object.entries(step.intake.byStatus).filter(([status]) => !/^2\d\d$/.test(status)));
  const retry = Object.keys(step.intake.retryAfter).length > 0 ? ` (Retry-After ${pairs(step.intake.retryAfter)})` : '';
  return [
    `${step.phase} (${step.durationS} s)`,
    num(step.rate),
    perSec(step.acceptedPerSec),
    intake ? '—' : perSec(step.completedPerSec),
    intake ? '—' : perSec(step.notifiedPerSec),
    percentiles(step.intake.latency),
    intake ? '—' : percentiles(step.createdToCompleted),
    pairs(errors) + retry,
    num(step.intake.notSent),
    backlogCell(step),
    intake ? 'n/a' : num(step.lost),
    num(step.cpuPer1000.totalS, 2),
    pairs(step.cpuPer1000.perProcessS, (n) => num(n, 2)),
    step.verdict.sustainable ? 'yes' : `no: ${step.verdict.failed.join('; ')}`,
  ];
}

/** A scenario's heading, notes, step table, side-load table and terminal counts. */
export function scenarioSection(title: string, scenario: ScenarioResult): string[] {
  const lines = [
    `### ${title}`,
    '',
    `Sustainable: **${scenario.sustainableRate === null ? 'none of the rates tried' : `${num(scenario.sustainableRate)}/s`}**` +
      ` (stack \`${scenario.stack}\`).`,
    ...scenario.notes.map((note) => `Note: ${note}.`),
    '',
    table(STEP_HEADERS, scenario.steps.map(stepRow)),
    '',
  ];
  const side = scenario.steps.filter((s) => s.side);
  if (side.length > 0) {
    lines.push(
      table(
        [
          'phase',
          'rate /s',
          'reads /s',
          'read p50 / p95 / p99 / max ms',
          'read errors',
          'SSE watchers (refused)',
          'SSE events',
        ],
        side.map((s) => [
          s.phase,
          num(s.rate),
          num(s.side!.reads.accepted / s.durationS),
          percentiles(s.side!.reads.latency),
          num(s.side!.reads.errors),
          `${s.side!.watchers} (${s.side!.watchersRefused})`,
          num(s.side!.sseEvents),
        ]),
      ),
      '',
    );
  }
  const types = scenario.steps.map((s) => `${s.phase}@${s.rate}: ${pairs(s.terminalByType)}`);
  lines.push(`Terminal events by type — ${types.join('; ')}.`, '');
  return lines;
}

/** MongoDB commands per order of every pipeline-type step, from the services' counters. */
export function storeTable(report: BenchReport): string {
  const steps = [...report.scenarios, ...(report.baseline ? [report.baseline] : [])]
    .flatMap((s) => s.steps)
    .filter((s) => s.scenario !== 'intake');
  const rows = steps.map((s) => [
    `${s.scenario}${s.stack === 'main' ? '' : ` (${s.stack})`}`,
    `${s.phase} @ ${num(s.rate)}/s`,
    s.store === null ? 'not exposed' : s.store.exposedBy.join(', '),
    num(s.store?.writesPerOrder ?? null, 2),
    num(s.store?.statementsPerOrder ?? null, 2),
    num(s.store?.readsPerOrder ?? null, 2),
    perProcessCell(s.store?.perProcess),
    s.store ? pairs(s.store.commands) : '—',
  ]);
  return table(
    [
      'scenario',
      'step',
      'exposed by',
      'writes / order',
      'statements / order',
      'reads / order',
      'writes + reads / order by process',
      'commands in the step',
    ],
    rows,
  );
}

function perProcessCell(perProcess: StoreTraffic['perProcess']): string {
  if (perProcess === undefined) return '—';
  const cells = Object.entries(perProcess)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => `${name} ${num(p.writesPerOrder, 1)} + ${num(p.readsPerOrder, 1)}`);
  return cells.length > 0 ? cells.join(' · ') : '—';
}
