import t from 'tap';
import { hostname } from 'node:os';
import { EVENTS } from '@orderflow/event-store';
import { createMongo, LEASES_COLLECTION } from '@orderflow/platform';
import { useTestServers } from '@orderflow/testkit';
import { SCHEDULER_LEASE } from '../src/scheduler.js';
import {
  eventually,
  metricValue,
  newOrder,
  newSystem,
  startServiceProcess,
  startTestScheduler,
  storeOf,
  systemEnv,
} from './support.js';

const servers = await useTestServers(t);

t.test('a killed leader is replaced at the first term it did not claim, and the rest still expire', async (t) => {
  const system = newSystem(servers);
  const leaseTtlMs = 2_000;
  // The lease's internal term (see config.ts): 3/4 of LEASE_TTL_MS.
  const termMs = (leaseTtlMs * 3) / 4;
  const env = {
    ORDER_TTL_MS: '300',
    EXPIRY_INTERVAL_MS: '200',
    SWEEP_INTERVAL_MS: '200',
    LEASE_TTL_MS: String(leaseTtlMs),
  };
  const crashing = startServiceProcess(t, 'scheduler', systemEnv(system, { ...env, LOG_LEVEL: 'warn' }));
  const crashingOwner = `${hostname()}:${crashing.child.pid}:`;
  const mongo = createMongo({ url: servers.mongoUrl, db: system.dbName, maxPoolSize: 2, timeoutMs: 5_000 }, 'test');
  t.teardown(() => mongo.close());
  const leases = mongo.db.collection<{ _id: string; term: number; owner: string }>(LEASES_COLLECTION);
  const holderOf = async (term: number) => (await leases.findOne({ _id: `${SCHEDULER_LEASE}:${term}` }))?.owner;
  const termNow = () => Math.floor(Date.now() / termMs);
  await eventually(
    'the child process to lead',
    async () => (await holderOf(termNow()))?.startsWith(crashingOwner),
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; its stderr: ${crashing.stderr().slice(0, 2_000)}`);
  });
  const standby = await startTestScheduler(t, system, env);
  const contestedTerm = termNow() + 1;
  await eventually(
    'the child to keep the next term while the standby tries too',
    async () => (await holderOf(contestedTerm))?.startsWith(crashingOwner),
    2 * termMs,
  );
  t.notOk(standby.lease.isHeld(), 'the in-process replica is the standby');

  crashing.child.kill('SIGKILL');
  const killedAt = Date.now();
  t.equal((await crashing.exited).signal, 'SIGKILL');
  const store = storeOf(standby);
  const ids: string[] = [];
  for (let index = 0; index < 10; index++) ids.push((await store.create(newOrder(), 'hash')).order.id);

  await eventually('the standby to lead', () => standby.lease.isHeld(), 3 * termMs);
  const takeoverMs = Date.now() - killedAt;
  const terms = await leases.find({ name: SCHEDULER_LEASE }).sort({ term: 1 }).toArray();
  const lastCrashedTerm = Math.max(...terms.filter((l) => l.owner.startsWith(crashingOwner)).map((l) => l.term));
  const firstStandbyTerm = terms.find((l) => l.owner === standby.leaseOwner && l.term > lastCrashedTerm)?.term;
  t.equal(firstStandbyTerm, lastCrashedTerm + 1, 'the standby leads the first term the dead leader did not claim');
  // Within one lease period, plus the standby's renewal interval and this test's polling.
  t.ok(takeoverMs < leaseTtlMs + 500, `took over ${takeoverMs} ms after the kill (LEASE_TTL_MS ${leaseTtlMs})`);

  const events = standby.mongo.db.collection(EVENTS);
  await eventually('the remaining orders to expire', async () => {
    return (await events.countDocuments({ order_id: { $in: ids }, type: 'order.expired' })) === ids.length;
  });
  // The counter moves when the tick's batch is done, just after the last append.
  await eventually('the standby to count them all', async () => {
    return (await metricValue(standby.registry, 'orderflow_orders_expired_total')) === ids.length;
  });
  t.pass('all expired by the standby');
});
