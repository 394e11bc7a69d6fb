import t from 'tap';
import { normalizeArgs, parseCli, USAGE, UsageError } from '../src/cli.js';
import { modeOf, scenarioConfig, START_RATES, stepSecondsFor } from '../src/scenarios.js';

t.test('the full mode steps every scenario with the baseline and 20 s steps', async (t) => {
  const options = parseCli([]);
  t.equal(options.mode, 'full');
  t.same(options.scenarios, ['intake', 'pipeline', 'mixed']);
  t.equal(options.baseline, true);
  t.equal(options.stepSeconds, 20);
  t.equal(options.soakMinutes, undefined);
  t.equal(options.outDir, 'bench/results');
});

t.test('the quick mode has 5 s steps and no baseline unless asked', async (t) => {
  t.equal(parseCli(['--quick']).stepSeconds, 5);
  t.equal(parseCli(['--quick']).baseline, false);
  t.equal(parseCli(['--quick', '--baseline']).baseline, true);
  t.equal(parseCli(['--no-baseline']).baseline, false);
});

t.test('--soak takes an optional number of minutes', async (t) => {
  t.same(normalizeArgs(['--soak', '--quick']), ['--soak=10', '--quick']);
  t.same(normalizeArgs(['--soak', '3']), ['--soak=3']);
  t.equal(parseCli(['--soak']).soakMinutes, 10);
  t.equal(parseCli(['--soak=2.5']).soakMinutes, 2.5);
});

t.test('--soak-rate sets the soak rate and implies --soak', async (t) => {
  t.same(pick(parseCli(['--soak-rate', '1.5'])), { soakMinutes: 10, soakRate: 1.5 });
  t.same(pick(parseCli(['--soak=3', '--soak-rate=2'])), { soakMinutes: 3, soakRate: 2 });
  t.same(pick(parseCli(['--soak'])), { soakMinutes: 10, soakRate: undefined });
  t.throws(() => parseCli(['--soak-rate', '0']), UsageError);
  const quick = parseCli(['--quick', '--soak-rate', '2']);
  t.same(pick(quick), { soakMinutes: undefined, soakRate: undefined });
  t.same(quick.ignored, ['--soak-rate (a full-mode option)']);
});

const pick = ({ soakMinutes, soakRate }: ReturnType<typeof parseCli>) => ({ soakMinutes, soakRate });

t.test('--soak in quick mode is ignored and said so', async (t) => {
  const options = parseCli(['--quick', '--soak']);
  t.equal(options.soakMinutes, undefined);
  t.same(options.ignored, ['--soak (a full-mode option)']);
});

t.test('scenarios are kept in report order whatever order they are given in', async (t) => {
  t.same(parseCli(['--scenarios', 'mixed,intake']).scenarios, ['intake', 'mixed']);
});

t.test('an unknown scenario, flag or bad number is a usage error', async (t) => {
  t.throws(() => parseCli(['--scenarios', 'checkout']), UsageError);
  t.throws(() => parseCli(['--fast']), UsageError);
  t.throws(() => parseCli(['--step-seconds', '0']), UsageError);
  t.throws(() => parseCli(['--start-rate', 'fast']), UsageError);
});

t.test('--start-rate sets where every stepped scenario starts; without it each mode has its own', async (t) => {
  t.equal(parseCli(['--quick']).startRate, undefined);
  const options = parseCli(['--quick', '--start-rate', '12']);
  t.equal(options.startRate, 12);
  const mode = modeOf(options);
  t.equal(scenarioConfig('intake', mode).plan.startRate, 12);
  t.equal(scenarioConfig('pipeline', mode).plan.startRate, 12);
  t.equal(scenarioConfig('intake', modeOf(parseCli(['--quick']))).plan.startRate, START_RATES.quick.intake);
  t.equal(scenarioConfig('pipeline', modeOf(parseCli([]))).plan.startRate, START_RATES.full.pipeline);
});

t.test('full-mode steps at low rates last long enough to offer their minimum of orders', async (t) => {
  const full = scenarioConfig('pipeline', modeOf(parseCli([])));
  t.equal(stepSecondsFor(full, 'ramp', 250), full.stepSeconds, 'a fast step keeps the mode length');
  t.equal(stepSecondsFor(full, 'ramp', 2), Math.ceil(full.minSamples / 2));
  t.equal(stepSecondsFor(full, 'confirm', 250), full.confirmSeconds);
  t.ok(stepSecondsFor(full, 'confirm', 1) * 1 >= full.minSamples, 'a slow confirmation too');
  const quick = scenarioConfig('pipeline', modeOf(parseCli(['--quick'])));
  t.equal(stepSecondsFor(quick, 'ramp', 1), quick.stepSeconds, 'the quick mode keeps its time budget');
});

t.test('the usage states the start rates the modes use', async (t) => {
  t.match(USAGE, `quick ${START_RATES.quick.intake} intake / ${START_RATES.quick.pipeline} pipeline`);
  t.match(USAGE, `full ${START_RATES.full.intake} / ${START_RATES.full.pipeline}`);
});

t.test("--keep-logs keeps the stacks' logs; by default they are removed after a clean run", async (t) => {
  t.equal(parseCli([]).keepLogs, false);
  t.equal(parseCli(['--quick', '--keep-logs']).keepLogs, true);
});
