import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { answersBetween, readyStatus, statusCounts, takeDown } from './support/probes.js';
import { randomMs } from './support/random.js';
import { faultScale } from './support/scale.js';
import { startSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
t.setTimeout(scale.fileTimeoutMs);

/** What "quickly" means for an order accepted while NATS is down. */
const QUICK_ACCEPT_MS = 2_000;

t.test(
  'nats-server killed and restarted mid-run, then down for a while: orders keep being accepted and all finish',
  async (t) => {
    const system = await startSystem(t, { scenario: 'nats-outage' });
    const half = Math.ceil(scale.orders / 2);

    // Kills with SIGKILL, each followed by a restart on the same store.
    const underKills = system.load('nk', half, { spreadOverMs: scale.natsKills * 2_500 });
    for (let kill = 1; kill <= scale.natsKills; kill++) {
      const delayMs = randomMs(500, 2_500);
      await sleep(delayMs);
      await takeDown(system.nats, 'SIGKILL');
      await system.nats.restart();
      t.pass(`nats-server killed (SIGKILL) after ${delayMs} ms and restarted on its store (${kill})`);
    }
    await underKills.done;

    // Then stopped for a while, with orders arriving all along.
    await takeDown(system.nats, 'SIGTERM');
    const downAt = Date.now();
    const duringOutage = system.load('nd', half, { spreadOverMs: scale.outageMs * 0.8 });
    let processorUnready = false;
    while (Date.now() - downAt < scale.outageMs) {
      processorUnready ||= (await readyStatus(system.processor)) === 503;
      await sleep(250);
    }
    const upAt = Date.now();
    await system.nats.restart();
    t.ok(processorUnready, 'the processor reported itself unready while NATS was down');

    const answers = answersBetween(duringOutage.answers, downAt, upAt);
    t.ok(answers.length > 0, `${answers.length} orders sent while NATS was down`);
    t.same(statusCounts(answers), { 202: answers.length }, 'the api accepted every one of them (202)');
    const slowestMs = Math.max(0, ...answers.map((a) => a.ms));
    t.ok(slowestMs < QUICK_ACCEPT_MS, `each accepted quickly (slowest ${slowestMs} ms)`);

    await verifyScenario(t, system, [underKills, duringOutage], {
      settleTimeoutMs: scale.settleTimeoutMs,
      allFinal: true,
      statuses: ['completed'],
    });
  },
);
