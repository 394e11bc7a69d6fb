import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { Load } from './support/load.js';
import { randomMs } from './support/random.js';
import { faultScale } from './support/scale.js';
import { SERVICE_NAMES, startSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
t.setTimeout(scale.fileTimeoutMs);

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** How long after a burst of orders each service is stopped: when it has work of that burst in hand. */
const STOP_AFTER_MS: Readonly<Record<(typeof SERVICE_NAMES)[number], readonly [number, number]>> = {
  api: [50, 400],
  processor: [300, 1_200],
  notifier: [1_200, 2_500],
  scheduler: [300, 1_200],
};

t.test(
  'SIGTERM under load to each service in turn: it exits 0 within SHUTDOWN_TIMEOUT_MS, no effect repeats',
  async (t) => {
    const system = await startSystem(t, {
      scenario: 'sigterm',
      // Info lines show each shutdown step and how long it took, should one be slow.
      env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), LOG_LEVEL: 'info' },
    });
    const stops = scale.sigtermRounds * SERVICE_NAMES.length;
    const steady = system.load('term', Math.ceil(scale.orders / 2), { spreadOverMs: stops * 5_000 });
    const loads = [steady];
    const burstSize = Math.max(10, Math.ceil(scale.orders / (2 * stops)));

    for (let round = 1; round <= scale.sigtermRounds; round++) {
      for (const name of SERVICE_NAMES) {
        // A burst of orders, so that every service has work in hand when the signal comes.
        const burst = new Load({
          apiBase: () => system.apiBase,
          prefix: `burst-${name}-${round}`,
          count: burstSize,
          concurrency: burstSize,
        });
        loads.push(burst);
        await sleep(randomMs(...STOP_AFTER_MS[name]));
        const backlog = await inFlight();
        const startedAt = Date.now();
        const exit = await system[name].kill('SIGTERM');
        const tookMs = Date.now() - startedAt;
        const clean = exit.code === 0 && exit.signal === null && tookMs < SHUTDOWN_TIMEOUT_MS;
        t.same(exit, { code: 0, signal: null }, `${name} exited 0 on SIGTERM (${backlog})`);
        t.ok(tookMs < SHUTDOWN_TIMEOUT_MS, `${name} stopped in ${tookMs} ms`);
        if (!clean)
          t.comment(
            `${name}'s last lines besides requests:\n${system[name].tail(40, (line) => !line.includes('"reqId"'))}`,
          );
        await system[name].start();
      }
    }

    await verifyScenario(t, system, loads, {
      settleTimeoutMs: scale.settleTimeoutMs,
      allFinal: true,
      statuses: ['completed'],
    });

    /** Orders still open, and terminal events not yet notified. */
    async function inFlight(): Promise<string> {
      const [open, final, notified] = await Promise.all([
        system.db.collection('orders').countDocuments({ status: { $in: ['pending', 'processing'] } }),
        system.db.collection('orders').countDocuments({ status: { $nin: ['pending', 'processing'] } }),
        system.db.collection('notifications').countDocuments({ result: { $in: ['sent', 'recorded'] } }),
      ]);
      return `${open} orders open and ${final - notified} notifications due`;
    }
  },
);
