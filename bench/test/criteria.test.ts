import t from 'tap';
import {
  backlogAllowance,
  judgeStep,
  MAX_REFUTED_RATES,
  nextStep,
  refutedRates,
  sustainableRate,
  type StepMeasures,
  type SteppingPlan,
} from '../src/criteria.js';

const healthy: StepMeasures = {
  scenario: 'pipeline',
  rate: 400,
  sent: 2_000,
  errors: 0,
  notSent: 0,
  intakeP99Ms: 12,
  completedP99Ms: 300,
  completed: 2_000,
  backlogEnd: 40,
  lost: 0,
};

const quickPlan: SteppingPlan = {
  startRate: 200,
  factor: 1.6,
  maxSteps: 12,
  maxStepDowns: 2,
  bisect: false,
  confirmRuns: 0,
};
const fullPlan: SteppingPlan = { ...quickPlan, startRate: 250, maxStepDowns: 3, bisect: true, confirmRuns: 2 };

t.test('a step within every limit is sustainable', async (t) => {
  const verdict = judgeStep(healthy);
  t.equal(verdict.sustainable, true);
  t.same(verdict.failed, []);
});

t.test('each broken limit is named in the verdict', async (t) => {
  const verdict = judgeStep({
    ...healthy,
    intakeP99Ms: 73.14,
    errors: 10,
    notSent: 5,
    completedP99Ms: 1_500,
    backlogEnd: 900,
    lost: 3,
  });
  t.equal(verdict.sustainable, false);
  t.same(verdict.failed, [
    'intake p99 73.1 ms > 50 ms',
    'errors 0.5 % > 0.1 %',
    'not_sent 5 > 0',
    'created→completed p99 1500 ms > 1000 ms',
    'backlog 900 > 200',
    '3 orders not terminal within the drain',
  ]);
});

t.test('an error rate of exactly 0.1 % is still sustainable', async (t) => {
  t.equal(judgeStep({ ...healthy, sent: 10_000, errors: 10 }).sustainable, true);
});

t.test('intake is judged on its answers only', async (t) => {
  const verdict = judgeStep({
    ...healthy,
    scenario: 'intake',
    completedP99Ms: null,
    completed: 0,
    backlogEnd: 50_000,
    lost: 9_000,
  });
  t.equal(verdict.sustainable, true);
});

t.test('a pipeline step in which nothing completed is not sustainable', async (t) => {
  const verdict = judgeStep({ ...healthy, completed: 0, completedP99Ms: null });
  t.same(verdict.failed, ['no order completed']);
});

t.test('the backlog allowance is half a second of orders, at least 100', async (t) => {
  t.equal(backlogAllowance(50), 100);
  t.equal(backlogAllowance(1_000), 500);
});

t.test('when every step is sustainable the rate ramps by the factor', async (t) => {
  t.same(nextStep(quickPlan, []), { phase: 'ramp', rate: 200 });
  t.same(nextStep(quickPlan, [{ phase: 'ramp', rate: 200, sustainable: true }]), { phase: 'ramp', rate: 320 });
});

t.test('the quick mode stops at the first unsustainable step', async (t) => {
  const history = [
    { phase: 'ramp' as const, rate: 200, sustainable: true },
    { phase: 'ramp' as const, rate: 320, sustainable: false },
  ];
  t.equal(nextStep(quickPlan, history), undefined);
  t.equal(sustainableRate(history), 200);
});

t.test('the full mode bisects once between the last good and first bad rate, then confirms twice', async (t) => {
  const history = [
    { phase: 'ramp' as const, rate: 250, sustainable: true },
    { phase: 'ramp' as const, rate: 400, sustainable: false },
  ];
  t.same(nextStep(fullPlan, history), { phase: 'bisect', rate: 325 });
  const bisected = [...history, { phase: 'bisect' as const, rate: 325, sustainable: true }];
  t.same(nextStep(fullPlan, bisected), { phase: 'confirm', rate: 325 });
  const confirmed = [...bisected, { phase: 'confirm' as const, rate: 325, sustainable: true }];
  t.same(nextStep(fullPlan, confirmed), { phase: 'confirm', rate: 325 });
  t.equal(sustainableRate(confirmed, 2), undefined, 'not sustainable until both confirmations held');
  const twice = [...confirmed, { phase: 'confirm' as const, rate: 325, sustainable: true }];
  t.equal(nextStep(fullPlan, twice), undefined);
  t.equal(sustainableRate(twice, 2), 325);
});

t.test('a failed confirmation refutes its rate: the next lower good rate is confirmed instead', async (t) => {
  const searched = [
    { phase: 'ramp' as const, rate: 2, sustainable: true },
    { phase: 'ramp' as const, rate: 3, sustainable: true },
    { phase: 'ramp' as const, rate: 5, sustainable: true },
    { phase: 'ramp' as const, rate: 8, sustainable: false },
    { phase: 'bisect' as const, rate: 7, sustainable: true },
  ];
  const refuted = [...searched, { phase: 'confirm' as const, rate: 7, sustainable: false }];
  t.same(nextStep(fullPlan, refuted), { phase: 'confirm', rate: 5 }, 'no second try at 7/s');
  t.equal(sustainableRate(refuted, 2), undefined);
  t.equal(sustainableRate(refuted), 5, 'without confirmations asked, the highest good rate not refuted');
  const held = [
    ...refuted,
    { phase: 'confirm' as const, rate: 5, sustainable: true },
    { phase: 'confirm' as const, rate: 5, sustainable: true },
  ];
  t.equal(nextStep(fullPlan, held), undefined);
  t.equal(sustainableRate(held, 2), 5);
  t.same(refutedRates(held), [7]);
  // Refuted again after one held: the held one does not count.
  const again = [...refuted, { phase: 'confirm' as const, rate: 5, sustainable: true }];
  const failedSecond = [...again, { phase: 'confirm' as const, rate: 5, sustainable: false }];
  t.same(nextStep(fullPlan, failedSecond), { phase: 'confirm', rate: 3 });
});

t.test('confirming gives up after MAX_REFUTED_RATES refuted rates, with no sustainable rate', async (t) => {
  const history = [
    ...[2, 3, 5, 7].map((rate) => ({ phase: 'ramp' as const, rate, sustainable: true })),
    { phase: 'ramp' as const, rate: 11, sustainable: false },
    ...[7, 5, 3].map((rate) => ({ phase: 'confirm' as const, rate, sustainable: false })),
  ];
  t.equal(MAX_REFUTED_RATES, 3);
  t.equal(nextStep({ ...fullPlan, bisect: false }, history), undefined);
  t.equal(sustainableRate(history, 2), undefined);
});

t.test('a failed bisection leaves the sustainable rate at the last good ramp step', async (t) => {
  const history = [
    { phase: 'ramp' as const, rate: 250, sustainable: true },
    { phase: 'ramp' as const, rate: 400, sustainable: false },
    { phase: 'bisect' as const, rate: 325, sustainable: false },
  ];
  t.same(nextStep(fullPlan, history), { phase: 'confirm', rate: 250 });
});

t.test('ramping stops after the maximum number of steps', async (t) => {
  const history = Array.from({ length: 12 }, (_, i) => ({ phase: 'ramp' as const, rate: 100 + i, sustainable: true }));
  t.equal(nextStep(quickPlan, history), undefined);
  t.same(nextStep(fullPlan, history), { phase: 'confirm', rate: 111 });
});

t.test('when the start rate fails the next step aims below what it got through', async (t) => {
  const first = { phase: 'ramp' as const, rate: 200, sustainable: false, capacity: 50 };
  t.same(nextStep(quickPlan, [first]), { phase: 'down', rate: 40 });
  t.same(nextStep(quickPlan, [{ ...first, capacity: null }]), { phase: 'down', rate: 125 });
});

t.test('stepping down stops after the allowed number of tries', async (t) => {
  const history = [
    { phase: 'ramp' as const, rate: 200, sustainable: false },
    { phase: 'down' as const, rate: 125, sustainable: false },
    { phase: 'down' as const, rate: 78, sustainable: false },
  ];
  t.equal(nextStep(quickPlan, history), undefined);
  t.equal(sustainableRate(history), undefined);
});

t.test('a sustainable step down is bisected towards the failed start rate in full mode', async (t) => {
  const history = [
    { phase: 'ramp' as const, rate: 250, sustainable: false },
    { phase: 'down' as const, rate: 156, sustainable: true },
  ];
  t.same(nextStep(fullPlan, history), { phase: 'bisect', rate: 203 });
  t.equal(nextStep(quickPlan, history), undefined);
});
