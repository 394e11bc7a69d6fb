import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { randomMs } from './support/random.js';
import { faultScale } from './support/scale.js';
import { startSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
const OPEN_WAIT_MS = 5_000;
t.setTimeout(scale.fileTimeoutMs);

t.test(
  'a processor killed with SIGKILL at random moments and restarted loses nothing and repeats nothing',
  async (t) => {
    const system = await startSystem(t, { scenario: 'processor-kills' });
    // Spread the orders over the kills: each run works up to processorRunMs, a restart takes about 3 s.
    const load = system.load('pk', scale.killOrders, {
      concurrency: scale.concurrency,
      spreadOverMs: scale.processorKills * (scale.processorRunMs[1] + 3_000),
    });

    const openAtKill: number[] = [];
    for (let kill = 1; kill <= scale.processorKills; kill++) {
      const delayMs = randomMs(...scale.processorRunMs);
      await sleep(delayMs);
      // A kill is meant to land mid-work: the load keeps orders coming, so wait for one to be open.
      openAtKill.push(await openOrdersWithin(OPEN_WAIT_MS));
      const exit = await system.processor.kill('SIGKILL');
      t.equal(
        exit.signal,
        'SIGKILL',
        `kill ${kill}, after ${delayMs} ms of work, with ${openAtKill.at(-1)} orders open`,
      );
      await system.processor.start();
    }
    t.ok(
      openAtKill.some((open) => open > 0),
      'kills landed while orders were being processed',
    );

    await verifyScenario(t, system, [load], {
      settleTimeoutMs: scale.settleTimeoutMs,
      allFinal: true,
      statuses: ['completed'],
    });

    /** Orders open now, polling until there is one or `withinMs` is up. */
    async function openOrdersWithin(withinMs: number): Promise<number> {
      const deadline = Date.now() + withinMs;
      for (;;) {
        const open = await system.db
          .collection('orders')
          .countDocuments({ status: { $in: ['pending', 'processing'] } });
        if (open > 0 || Date.now() >= deadline) return open;
        await sleep(25);
      }
    }
  },
);
