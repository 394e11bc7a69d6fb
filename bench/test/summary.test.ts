import t from 'tap';
import type { ScenarioResult } from '../src/scenarios.js';
import { buildSummary } from '../src/summary.js';
import { step } from './fixtures.js';

const scenario = (
  name: ScenarioResult['name'],
  steps: ScenarioResult['steps'],
  rate: number | null,
): ScenarioResult => ({
  name,
  stack: 'main',
  steps,
  sustainableRate: rate,
  notes: [],
});

const ceiling = {
  database: 'x',
  batchDocumentsPerSec: 50_000,
  batchWriters: 4,
  batchSize: 500,
  singleInsertsPerSec: 8_000,
  singleWriters: 32,
  secondsEach: 5,
};

t.test('the headline of a scenario is its sustainable step', async (t) => {
  const pipeline = scenario(
    'pipeline',
    [
      step('pipeline', 'ramp', 1_000),
      step('pipeline', 'ramp', 1_600, { verdict: { sustainable: false, failed: ['x'] } }),
    ],
    1_000,
  );
  const summary = buildSummary({ scenarios: [pipeline], baseline: null, ceiling: null, soak: null });
  t.same(summary.headlines.pipeline, {
    rate: 1_000,
    throughput: 1_000,
    intakeP99Ms: 20,
    completedP99Ms: 400,
    cpuPer1000S: 1,
  });
});

t.test('goals are met, not met, or not measured when their part did not run', async (t) => {
  const intake = scenario('intake', [step('intake', 'ramp', 6_000)], 6_000);
  const pipeline = scenario('pipeline', [step('pipeline', 'ramp', 1_000)], 1_000);
  const summary = buildSummary({ scenarios: [intake, pipeline], baseline: null, ceiling: null, soak: null });
  t.same(
    summary.goals.map((g) => g.status),
    ['met', 'not met', 'not measured', 'met', 'not measured'],
  );
});

t.test('the baseline ratio needs equal or better p99 to meet the goal', async (t) => {
  const pipeline = scenario('pipeline', [step('pipeline', 'ramp', 1_600)], 1_600);
  const slowBaseline = scenario('pipeline', [step('pipeline', 'ramp', 400)], 400);
  const summary = buildSummary({ scenarios: [pipeline], baseline: slowBaseline, ceiling: null, soak: null });
  t.equal(summary.baselineRatio, 4);
  t.equal(summary.goals[2]!.status, 'met');
});

t.test('without a sustainable baseline rate the ratio is not measured, and the report says why', async (t) => {
  const pipeline = scenario('pipeline', [step('pipeline', 'ramp', 1)], 1);
  const baseline = scenario(
    'pipeline',
    [step('pipeline', 'ramp', 2, { verdict: { sustainable: false, failed: ['x'] } })],
    null,
  );
  const summary = buildSummary({ scenarios: [pipeline], baseline, ceiling: null, soak: null });
  t.equal(summary.baselineRatio, null);
  t.equal(summary.goals[2]!.status, 'not measured');
  t.equal(summary.goals[2]!.measured, 'no ratio: the baseline sustained none of the rates tried');
});

t.test('a soak asked for but skipped says why', async (t) => {
  const pipeline = scenario(
    'pipeline',
    [step('pipeline', 'ramp', 2, { verdict: { sustainable: false, failed: ['x'] } })],
    null,
  );
  const asked = buildSummary({ scenarios: [pipeline], baseline: null, ceiling: null, soak: null, soakAsked: true });
  t.match(asked.goals[4], { status: 'not measured', measured: /^soak skipped: .*sustainable pipeline rate/ });
  const notAsked = buildSummary({ scenarios: [pipeline], baseline: null, ceiling: null, soak: null });
  t.equal(notAsked.goals[4]!.measured, 'no soak (--soak)');
});

t.test('a soak at a given rate is judged on the services alone, and says its rate was given', async (t) => {
  const pipeline = scenario(
    'pipeline',
    [step('pipeline', 'ramp', 2, { verdict: { sustainable: false, failed: ['x'] } })],
    null,
  );
  const drift = (changePercent: number) => ({
    firstMinuteBytes: 100,
    lastMinuteBytes: 100 + changePercent,
    changePercent,
    flat: Math.abs(changePercent) < 10,
  });
  const soak = {
    minutes: 10,
    rate: 1,
    basis: 'asked' as const,
    step: step('pipeline', 'soak', 1),
    drift: { api: drift(2), processor: drift(-4.5), 'nats-server': drift(40) },
    series: [],
  };
  const summary = buildSummary({ scenarios: [pipeline], baseline: null, ceiling: null, soak, soakAsked: true });
  t.same(summary.goals[4], {
    goal: 'RSS of every service within ±10 % over the soak',
    status: 'met',
    measured: 'largest change processor -4.5 % over 10 min at 1/s (a rate given by --soak-rate)',
  });
});

t.test('the share of the store ceiling uses writes per order', async (t) => {
  const store = { exposedBy: ['api'], writesPerOrder: 4, statementsPerOrder: 8, readsPerOrder: 2, commands: {} };
  const pipeline = scenario('pipeline', [step('pipeline', 'ramp', 1_000, { store })], 1_000);
  const summary = buildSummary({ scenarios: [pipeline], baseline: null, ceiling, soak: null });
  t.equal(summary.shareOfCeiling, 0.5);
  t.equal(summary.storeNote, null);
});

t.test('store traffic that is not exposed is reported as such', async (t) => {
  const pipeline = scenario('pipeline', [step('pipeline', 'ramp', 1_000)], 1_000);
  const summary = buildSummary({ scenarios: [pipeline], baseline: null, ceiling, soak: null });
  t.equal(summary.writesPerOrder, null);
  t.equal(summary.storeNote, 'not exposed');
  t.equal(summary.shareOfCeiling, null);
});

t.test('two confirmation runs give their spread', async (t) => {
  const pipeline = scenario(
    'pipeline',
    [
      step('pipeline', 'ramp', 1_000),
      step('pipeline', 'confirm', 1_000, { completedPerSec: 990 }),
      step('pipeline', 'confirm', 1_000, { completedPerSec: 1_010 }),
    ],
    1_000,
  );
  const summary = buildSummary({ scenarios: [pipeline], baseline: null, ceiling: null, soak: null });
  t.equal(Math.round(summary.confirmSpread.pipeline!.spreadPercent! * 10) / 10, 2);
  t.equal(summary.confirmSpread.pipeline!.rate, 1_000);
});

t.test('confirmations at different rates are compared at one rate only', async (t) => {
  const refuted = (rate: number, completedPerSec: number) =>
    step('pipeline', 'confirm', rate, { completedPerSec, verdict: { sustainable: false, failed: ['x'] } });
  const steps = [step('pipeline', 'ramp', 5), refuted(5, 5), refuted(3, 3), refuted(3, 2.7), refuted(2, 2)];
  const none = buildSummary({
    scenarios: [scenario('pipeline', steps, null)],
    baseline: null,
    ceiling: null,
    soak: null,
  });
  t.match(none.confirmSpread.pipeline, { rate: 3, throughputs: [3, 2.7] }, 'none held: the rate confirmed most often');
  const held = [...steps, step('pipeline', 'confirm', 2, { completedPerSec: 2 })];
  const some = buildSummary({ scenarios: [scenario('pipeline', held, 2)], baseline: null, ceiling: null, soak: null });
  t.match(some.confirmSpread.pipeline, { rate: 2, throughputs: [2, 2] }, 'the sustainable rate’s');
});
