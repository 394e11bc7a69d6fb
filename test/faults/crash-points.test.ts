import t, { type Test } from 'tap';
import type { Load } from './support/load.js';
import { faultScale } from './support/scale.js';
import type { ServiceProcess } from './support/service-process.js';
import { startSystem, type FaultSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
t.setTimeout(scale.fileTimeoutMs);
const orders = Math.ceil(scale.orders / 2);

type FaultPoint = 'after-append' | 'after-publish' | 'after-effect';

/** A run of `service` with ORDERFLOW_FAULT_POINT set, under a steady load of orders. */
async function crashScenario(t: Test, service: 'api' | 'processor', point: FaultPoint) {
  const system = await startSystem(t, {
    scenario: `${service}-${point}`,
    firstRun: { [service]: { ORDERFLOW_FAULT_POINT: point } },
  });
  const load = system.load(point, orders, { spreadOverMs: 5_000 });
  return { system, load };
}

/**
 * Waits for each crash at the fault point (SIGKILL by the process itself), starts the
 * process with the fault point again until `crashes` happened, then without it.
 */
async function crashAndRecover(
  t: Test,
  process: ServiceProcess,
  point: FaultPoint,
  onCrash: (crash: number) => Promise<void> = async () => undefined,
): Promise<void> {
  for (let crash = 1; crash <= scale.crashesPerPoint; crash++) {
    const exit = await process.waitExit(60_000);
    t.equal(exit.signal, 'SIGKILL', `${process.name} crash ${crash} at ${point}`);
    await onCrash(crash);
    if (crash < scale.crashesPerPoint) process.launch({ ORDERFLOW_FAULT_POINT: point });
  }
  await process.start();
}

async function verify(t: Test, system: FaultSystem, load: Load) {
  await verifyScenario(t, system, [load], {
    settleTimeoutMs: scale.settleTimeoutMs,
    allFinal: true,
    statuses: ['completed'],
  });
}

t.test('an api crashing after the append: the client retries with the same key, the order ends once', async (t) => {
  const { system, load } = await crashScenario(t, 'api', 'after-append');
  await crashAndRecover(t, system.api, 'after-append');
  await load.done;

  // The request that crashed the api stored its order: the retry finds it (200), not a new one.
  const byKey = Map.groupBy(load.answers, (a) => a.key);
  const recovered = [...byKey.values()].filter((answers) => answers[0]?.status === 0 && answers.at(-1)?.status === 200);
  t.ok(recovered.length >= 1, `${recovered.length} order(s) unanswered, then found stored on retry (200)`);
  await verify(t, system, load);
});

t.test('a processor crashing after the publish, before published_at is set, recovers without a repeat', async (t) => {
  const { system, load } = await crashScenario(t, 'processor', 'after-publish');
  await crashAndRecover(t, system.processor, 'after-publish');
  await verify(t, system, load);
});

t.test('a processor crashing after requesting payment, before the ack, pays each order once', async (t) => {
  const { system, load } = await crashScenario(t, 'processor', 'after-effect');
  await crashAndRecover(t, system.processor, 'after-effect', async (crash) => {
    const stats = await system.simulatorStats();
    t.ok(stats.payments.total >= crash, `a payment was requested before crash ${crash}`);
  });
  await verify(t, system, load);
  const stats = await system.simulatorStats();
  t.equal(stats.payments.total, load.accepted.length, 'the provider saw one payment per order');
});
