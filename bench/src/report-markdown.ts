import { mib, num, perSec, table } from './markdown.js';
import type { BenchReport } from './report.js';
import { scenarioSection, storeTable } from './report-steps.js';

/** The whole `<mode>.md`. */
export function renderMarkdown(report: BenchReport): string {
  const { summary, machine } = report;
  const lines: string[] = [`# Orderflow benchmark — ${report.mode}`, ''];
  lines.push(
    `- date ${machine.date}, commit ${machine.gitCommit ?? 'unknown'}, elapsed ${num(report.elapsedS)} s`,
    `- ${machine.cores} × ${machine.cpuModel}, ${mib(machine.memoryBytes)} memory, Node ${machine.node}`,
    `- flags: \`${report.argv.join(' ') || '(none)'}\``,
  );
  for (const stack of report.stacks) {
    const extra = Object.entries(stack.extraEnv).map(([k, v]) => `${k}=${v}`);
    const env = extra.length > 0 ? extra.join(' ') : 'default settings';
    lines.push(
      `- stack \`${stack.label}\` (${env}): nats-server ${stack.servers?.natsServer ?? '?'}` +
        `${stack.natsExternal ? ' (external NATS_URL: no pid, not measured)' : ''}, FerretDB ${stack.servers?.ferretdb ?? '?'}` +
        ` backend ${stack.backend}${stack.mongoExternal ? ' (external MONGO_URL: no pid, not measured)' : ''}` +
        `, ${num(stack.ordersAtEnd)} orders in its database at the end`,
    );
  }
  lines.push(...report.notes.map((note) => `- ${note}`), '');

  lines.push('## Summary', '');
  const headlineRows = (['intake', 'pipeline', 'mixed', 'baseline'] as const).flatMap((name) => {
    const h = summary.headlines[name];
    if (h) {
      return [
        [
          name,
          num(h.rate),
          perSec(h.throughput),
          num(h.intakeP99Ms, 1),
          num(h.completedP99Ms, 1),
          num(h.cpuPer1000S, 2),
        ],
      ];
    }
    const ran = name === 'baseline' ? report.baseline : report.scenarios.find((s) => s.name === name);
    if (!ran) return [];
    // Nothing sustained: the most it got through in any step, so a slow system still shows a number.
    const best = Math.max(
      0,
      ...ran.steps.map((s) => (name === 'intake' ? s.intakeThroughput : (s.completedPerSec ?? 0))),
    );
    return [[name, 'none of the rates tried', `at most ${perSec(best)}`, 'n/a', 'n/a', 'n/a']];
  });
  lines.push(
    table(
      ['scenario', 'sustainable /s', 'throughput /s', 'intake p99 ms', 'created→completed p99 ms', 'CPU-s / 1,000'],
      headlineRows,
    ),
    '',
  );
  const ceiling = report.storeCeiling;
  lines.push(
    `- batching on / BATCHING=off sustainable pipeline rate: ${summary.baselineRatio === null ? 'n/a (baseline not run or none sustainable)' : `${num(summary.baselineRatio, 2)}×`}`,
    `- store ceiling (driver, scratch database): ${ceiling ? `${num(ceiling.batchDocumentsPerSec)} documents/s by insertMany of ${ceiling.batchSize} (${ceiling.batchWriters} writers); ${num(ceiling.singleInsertsPerSec)} insertOne commands/s (${ceiling.singleWriters} writers), ${ceiling.secondsEach} s each` : 'not measured'}`,
    `- per completed order (pipeline): writes ${num(summary.writesPerOrder, 2)}, statements ${num(summary.statementsPerOrder, 2)}, reads ${num(summary.readsPerOrder, 2)}${summary.storeNote ? ` — ${summary.storeNote}` : ''}`,
    `- share of the store's ceiling: ${summary.shareOfCeiling === null ? 'n/a' : `${num(summary.shareOfCeiling * 100, 1)} %`} (pipeline completed/s ÷ (insertOne/s ÷ writes per order))`,
    '',
  );
  lines.push(
    '## Goals',
    '',
    table(
      ['goal', 'status', 'measured'],
      summary.goals.map((g) => [g.goal, g.status, g.measured]),
    ),
  );
  lines.push('', 'Goals are reported, never enforced: a missed goal does not fail the run.', '');

  lines.push('## Store traffic', '', storeTable(report), '');

  lines.push(
    '## Steps',
    '',
    "Latency runs from each request's due time (open loop). Requests still open when a step's answer grace " +
      'ended were cut off and count as `timeout`, with their latency up to that moment: a lower bound.',
    '',
  );
  for (const scenario of report.scenarios) lines.push(...scenarioSection(scenario.name, scenario));
  if (report.baseline) lines.push(...scenarioSection('pipeline with BATCHING=off (baseline)', report.baseline));
  if (report.soak)
    lines.push(
      ...scenarioSection(`soak (${report.soak.minutes} min)`, {
        name: 'pipeline',
        stack: report.soak.step.stack,
        steps: [report.soak.step],
        sustainableRate: null,
        notes: [],
      }),
    );

  lines.push('## Memory', '');
  const names = Object.keys(report.peakRssBytes).sort();
  lines.push(
    table(
      ['process', 'peak RSS (sampled)', 'VmHWM'],
      names.map((n) => [n, mib(report.peakRssBytes[n]), mib(report.highWaterBytes[n])]),
    ),
    '',
  );
  if (report.soak) {
    lines.push(
      `### RSS over the soak (${report.soak.minutes} min at ${num(report.soak.rate)}/s)`,
      '',
      report.soak.basis === 'asked'
        ? 'The rate was given (`--soak-rate`), not 70 % of a sustainable rate.'
        : '70 % of the sustainable pipeline rate.',
      '',
      table(
        ['process', 'first minute', 'last minute', 'change', 'flat (±10 %)'],
        Object.entries(report.soak.drift).map(([n, d]) => [
          n,
          mib(d.firstMinuteBytes),
          mib(d.lastMinuteBytes),
          `${num(d.changePercent, 1)} %`,
          d.flat ? 'yes' : 'no',
        ]),
      ),
      '',
    );
  }

  lines.push('## Noise', '');
  const noiseRows = report.scenarios.map((s) => {
    const spread = summary.confirmSpread[s.name];
    return [
      s.name,
      num(summary.acceptedCv[s.name] ?? null, 3),
      spread ? `at ${spread.rate}/s: ${spread.throughputs.map((t) => num(t)).join(' / ')}` : '—',
      spread ? spread.p99sMs.map((p) => num(p, 1)).join(' / ') : '—',
      spread ? `${num(spread.spreadPercent, 1)} %` : '—',
    ];
  });
  lines.push(
    table(
      [
        'scenario',
        'CV of accepted/s (sustainable step)',
        'confirmation throughputs /s',
        'confirmation p99s ms',
        'spread',
      ],
      noiseRows,
    ),
    '',
    `Accepted orders stalled (stored, but not terminal when the run ended while nothing was finishing): ${report.lostAtEnd}; still in flight at the end ` +
      `while the pipeline kept finishing orders: ${report.lateAtEnd}.`,
    '',
  );
  return lines.join('\n');
}
