import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { decideValidation } from '@orderflow/core';
import { EVENTS } from '@orderflow/event-store';
import { useTestServers } from '@orderflow/testkit';
import { LEASES_COLLECTION } from '@orderflow/platform';
import { SCHEDULER_LEASE, type SchedulerRuntime } from '../src/scheduler.js';
import { collect, eventually, metricValue, newOrder, newSystem, startTestScheduler, storeOf } from './support.js';

const servers = await useTestServers(t);
const LEADER = 'orderflow_scheduler_leader';
const TICKS = 'orderflow_scheduler_ticks_total';

const leases = (runtime: SchedulerRuntime) =>
  runtime.mongo.db.collection<{ _id: string; name: string; term: number; owner: string }>(LEASES_COLLECTION);

/**
 * Samples which replicas lead, all at the same instant (they share this process), until
 * stopped; reports the most that ever led at once and how many samples had a leader.
 */
function watchLeaders(replicas: readonly SchedulerRuntime[]) {
  let running = true;
  let samples = 0;
  let samplesWithLeader = 0;
  let mostAtOnce = 0;
  const done = (async () => {
    while (running) {
      const leading = (await Promise.all(replicas.map((r) => metricValue(r.registry, LEADER)))).filter(
        (value) => value === 1,
      ).length;
      samples++;
      if (leading > 0) samplesWithLeader++;
      mostAtOnce = Math.max(mostAtOnce, leading);
      await sleep(10);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { samples, samplesWithLeader, mostAtOnce };
    },
  };
}

t.test(
  'two replicas side by side for a minute expire each stale order exactly once, with one leader at a time',
  async (t) => {
    t.setTimeout(240_000);
    const system = newSystem(servers);
    const env = {
      ORDER_TTL_MS: '300',
      EXPIRY_INTERVAL_MS: '200',
      SCHEDULER_BATCH_SIZE: '7',
      LEASE_TTL_MS: '1000',
    };
    const replicas = await Promise.all([startTestScheduler(t, system, env), startTestScheduler(t, system, env)]);
    const [first] = replicas;
    const termMs = first.config.leaseTermMs;
    const watch = watchLeaders(replicas);
    const expiredMessages = collect(t, first, 'notifier-expired');
    const store = storeOf(first);
    // New stale orders keep arriving for a minute, so expiries race renewals and handovers.
    const runForMs = 60_000;
    const startedMs = Date.now();
    const ids: string[] = [];
    while (Date.now() - startedMs < runForMs) {
      for (let index = 0; index < 2; index++) {
        const { order } = await store.create(newOrder(), 'hash');
        if (index % 2 === 1) {
          await store.decide(order.id, (o) =>
            decideValidation(o, { failures: [], handling: 'standard', risk_score: 0.1 }),
          );
        }
        ids.push(order.id);
      }
      await sleep(250);
    }
    const orderCount = ids.length;
    const firstTerm = Math.floor(Date.now() / termMs);

    const events = first.mongo.db.collection(EVENTS);
    await eventually('every order to expire', async () => {
      return (await events.countDocuments({ order_id: { $in: ids }, type: 'order.expired' })) >= orderCount;
    });
    // Keep both running across several lease terms, so renewals and the leader's ticks race.
    await eventually(
      'three more lease terms to be claimed',
      async () => (await leases(first).countDocuments({ name: SCHEDULER_LEASE, term: { $gte: firstTerm + 3 } })) > 0,
    );
    const leaders = await watch.stop();

    const expired = await events.find({ order_id: { $in: ids }, type: 'order.expired' }).toArray();
    t.equal(expired.length, orderCount, 'one order.expired event per order');
    t.equal(new Set(expired.map((event) => event.order_id as string)).size, orderCount, 'no order twice');
    await eventually(
      'every order.expired on the bus',
      () => new Set(expiredMessages.map((m) => m.msgId)).size >= orderCount,
    );
    t.equal(leaders.mostAtOnce, 1, `never two leaders at once (${leaders.samples} samples)`);
    t.ok(leaders.samplesWithLeader / leaders.samples > 0.5, 'a leader most of the time');
    const expiredTotal = async () => {
      const totals = await Promise.all(replicas.map((r) => metricValue(r.registry, 'orderflow_orders_expired_total')));
      return totals.reduce((sum, value) => sum + value, 0);
    };
    await eventually('the replicas to count every expiry', async () => (await expiredTotal()) >= orderCount);
    t.equal(await expiredTotal(), orderCount, 'the replicas expired them between them');
  },
);

t.test('a replica that stops releases the lease and another takes over at once', async (t) => {
  const system = newSystem(servers);
  const env = { EXPIRY_INTERVAL_MS: '200', SWEEP_INTERVAL_MS: '200', LEASE_TTL_MS: '4000' };
  const leader = await startTestScheduler(t, system, env);
  await eventually('the first replica to lead', () => leader.lease.isHeld());
  const standby = await startTestScheduler(t, system, env);
  const termMs = leader.config.leaseTermMs;
  const nextTerm = Math.floor(Date.now() / termMs) + 1;
  await eventually(
    'the leader to claim the next term while the standby tries too',
    async () => (await leases(leader).findOne({ _id: `${SCHEDULER_LEASE}:${nextTerm}` }))?.owner === leader.leaseOwner,
    2 * termMs,
  );
  t.notOk(standby.lease.isHeld(), 'the standby waits while the leader lives');
  t.equal(await metricValue(standby.registry, TICKS, { scheduler_job: 'expiry' }), 0, 'and runs no job');

  const stoppedAt = Date.now();
  await leader.stop('rolling update');
  await eventually('the standby to lead', () => standby.lease.isHeld(), termMs);
  const takeoverMs = Date.now() - stoppedAt;

  t.ok(takeoverMs < termMs / 2, `took over after ${takeoverMs} ms, well inside the ${termMs} ms term`);
  t.equal(await metricValue(leader.registry, LEADER), 0);
  t.equal(await metricValue(standby.registry, LEADER), 1);
});
