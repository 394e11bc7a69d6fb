import t, { type Test } from 'tap';
import { readOrderStats, ORDERS } from '@orderflow/event-store';
import { createLogger, createMongo, runMigrations, type Db } from '@orderflow/platform';
import { uniqueName, useTestServers } from '@orderflow/testkit';
import { seedingStore, seedOrder, type Clock } from './support/seed-orders.js';

const log = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });
const servers = await useTestServers(t);
const mongo = createMongo({ url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 10, timeoutMs: 5_000 }, 'test');
t.teardown(() => mongo.close());

/** A database of its own per test, migrated like production. */
async function freshDb(t: Test): Promise<Db> {
  const db = mongo.client.db(uniqueName('stats'));
  t.teardown(() => db.dropDatabase());
  await runMigrations(db, { log });
  return db;
}

t.test('with no finished order every count is 0 and the average is null', async (t) => {
  const db = await freshDb(t);
  const clock: Clock = { nowMs: Date.parse('2026-05-01T12:00:00.000Z') };
  await seedOrder(seedingStore(db, clock), clock, 'open-1', 'pending');
  t.same(await readOrderStats(db), {
    byStatus: { completed: 0, failed: 0, rejected: 0, expired: 0, cancelled: 0 },
    terminal: 0,
    averageProcessTimeMs: null,
  });
});

t.test('terminal orders are counted by status and averaged from creation to their terminal event', async (t) => {
  const db = await freshDb(t);
  const clock: Clock = { nowMs: Date.parse('2026-05-01T12:00:00.000Z') };
  const store = seedingStore(db, clock);
  const seeds = [
    ['done-1', 'completed', 1_000],
    ['done-2', 'completed', 3_000],
    ['declined', 'failed', 2_000],
    ['too-big', 'rejected', 500],
    ['stuck', 'expired', 600_000],
    ['changed-mind', 'cancelled', 100],
    ['open', 'pending', 0],
    ['paying', 'processing', 0],
  ] as const;
  for (const [id, status, afterMs] of seeds) await seedOrder(store, clock, id, status, afterMs);

  t.same(await readOrderStats(db), {
    byStatus: { completed: 2, failed: 1, rejected: 1, expired: 1, cancelled: 1 },
    terminal: 6,
    averageProcessTimeMs: (1_000 + 3_000 + 2_000 + 500 + 600_000 + 100) / 6,
  });
});

t.test('a provider event after the end is recorded without changing the process time', async (t) => {
  const db = await freshDb(t);
  const clock: Clock = { nowMs: Date.parse('2026-05-01T12:00:00.000Z') };
  const store = seedingStore(db, clock);
  const done = await seedOrder(store, clock, 'late', 'completed', 1_000);
  clock.nowMs += 50_000;
  const late = await store.decide(done.id, (order) => ({
    outcome: 'append',
    event: {
      type: 'order.payment',
      data: {
        event: { event_id: 'late-dup', type: 'payment.captured', order_id: order.id, created_at: order.created_at },
        applied: false,
        reason: 'order is already completed',
        payment_state: order.payment.state,
        settle_at: null,
      },
    },
  }));
  t.equal(late.outcome, 'appended');
  const stats = await readOrderStats(db);
  t.equal(stats.averageProcessTimeMs, 1_000);
  t.equal((await store.snapshot(done.id))?.updated_at, new Date(clock.nowMs).toISOString(), 'updated_at moved');
});

t.test('the snapshot keeps the process time for queries but the order read back does not show it', async (t) => {
  const db = await freshDb(t);
  const clock: Clock = { nowMs: Date.parse('2026-05-01T12:00:00.000Z') };
  const store = seedingStore(db, clock);
  await seedOrder(store, clock, 'timed', 'cancelled', 250);
  await seedOrder(store, clock, 'untimed', 'pending');
  const docs = await db
    .collection<{ _id: string; process_time_ms?: number }>(ORDERS)
    .find({}, { projection: { process_time_ms: 1 } })
    .sort({ _id: 1 })
    .toArray();
  t.same(docs, [{ _id: 'timed', process_time_ms: 250 }, { _id: 'untimed' }]);
  t.notOk('process_time_ms' in ((await store.snapshot('timed')) ?? {}), 'not part of the order');
});

t.test('a terminal order without a process time (written before it existed) is counted, not averaged', async (t) => {
  const db = await freshDb(t);
  const clock: Clock = { nowMs: Date.parse('2026-05-01T12:00:00.000Z') };
  await seedOrder(seedingStore(db, clock), clock, 'timed', 'failed', 4_000);
  await db.collection<{ _id: string }>(ORDERS).insertOne({ _id: 'old', status: 'completed' } as never);
  t.same(await readOrderStats(db), {
    byStatus: { completed: 1, failed: 1, rejected: 0, expired: 0, cancelled: 0 },
    terminal: 2,
    averageProcessTimeMs: 4_000,
  });
});
