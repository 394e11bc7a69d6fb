import t from 'tap';
import { MIGRATIONS, MIGRATIONS_COLLECTION, runMigrations, type Migration } from '@orderflow/platform';
import { connectTestServers, silentLog } from './support/servers.js';

const { mongo } = await connectTestServers(t);

async function indexNames(collection: string): Promise<string[]> {
  const indexes = await mongo.db.collection(collection).listIndexes().toArray();
  return indexes.map((index) => String((index as { name?: unknown }).name)).sort();
}

t.test('the first run creates the collections and indexes of the event store', async (t) => {
  const applied = await runMigrations(mongo.db, { log: silentLog });
  t.same(applied, [1, 2, 3, 4]);
  t.same(await indexNames('order_events'), ['_id_', 'order_seq', 'outbox']);
  t.same(await indexNames('notifications'), ['_id_', 'event_id', 'order_created']);
  t.ok((await indexNames('orders')).includes('status_updated'));
  const records = await mongo.db.collection(MIGRATIONS_COLLECTION).find().toArray();
  t.same(
    records.map((r) => r._id),
    [1, 2, 3, 4],
  );
});

t.test('a second run applies nothing and creates each index once', async (t) => {
  const before = await Promise.all(['order_events', 'orders', 'notifications', 'leases'].map(indexNames));
  const applied = await runMigrations(mongo.db, { log: silentLog });
  t.same(applied, []);
  const after = await Promise.all(['order_events', 'orders', 'notifications', 'leases'].map(indexNames));
  t.same(after, before);
  t.equal(await mongo.db.collection(MIGRATIONS_COLLECTION).countDocuments(), 4);
});

t.test('the outbox migration marks events stored unpublished before it, and only those', async (t) => {
  const outbox = MIGRATIONS.find((m) => m.version === 3)!;
  const events = mongo.db.collection<{ _id: string; published_at: Date | null; unpublished?: true }>('order_events');
  await events.insertMany([
    { _id: 'm3-old:1', published_at: new Date() },
    { _id: 'm3-old:2', published_at: null },
  ]);
  await outbox.up(mongo.db);
  const marked = await events.find({ unpublished: true }, { projection: { _id: 1 } }).toArray();
  t.same(
    marked.map((e) => e._id),
    ['m3-old:2'],
  );
  t.same(await indexNames('order_events'), ['_id_', 'order_seq', 'outbox'], 'run again, it changes nothing');
});

t.test('the process-time migration times orders that ended before it, from their first terminal event', async (t) => {
  const backfill = MIGRATIONS.find((m) => m.version === 4)!;
  const orders = mongo.db.collection<{ _id: string; process_time_ms?: number }>('orders');
  const created = new Date('2026-03-01T10:00:00.000Z');
  const entry = (status: string, afterMs: number) => ({
    status,
    at: new Date(created.getTime() + afterMs).toISOString(),
  });
  await orders.insertMany([
    {
      _id: 'm4-done',
      status: 'completed',
      created_at: created,
      // A late payment event after the end moves updated_at, not the process time.
      history: [entry('pending', 0), entry('processing', 40), entry('completed', 2_500), entry('completed', 9_000)],
    },
    {
      _id: 'm4-open',
      status: 'processing',
      created_at: created,
      history: [entry('pending', 0), entry('processing', 40)],
    },
    { _id: 'm4-timed', status: 'failed', created_at: created, process_time_ms: 77, history: [entry('failed', 5)] },
  ] as never[]);
  await backfill.up(mongo.db);
  const times = await orders
    .find({ _id: { $in: ['m4-done', 'm4-open', 'm4-timed'] } }, { projection: { process_time_ms: 1 } })
    .sort({ _id: 1 })
    .toArray();
  t.same(times, [
    { _id: 'm4-done', process_time_ms: 2_500 },
    { _id: 'm4-open' },
    { _id: 'm4-timed', process_time_ms: 77 },
  ]);
  await orders.deleteMany({ _id: { $in: ['m4-done', 'm4-open', 'm4-timed'] } });
});

t.test('the unique indexes hold', async (t) => {
  const notifications = mongo.db.collection('notifications');
  await notifications.insertOne({ event_id: 'evt-1' });
  await t.rejects(notifications.insertOne({ event_id: 'evt-1' }), { code: 11000 });
});

t.test('concurrent runners apply each migration exactly once', async (t) => {
  let runs = 0;
  const counted: Migration = {
    version: 12,
    name: 'counted',
    async up() {
      runs++;
    },
  };
  const migrations = [counted];
  const results = await Promise.all(
    Array.from({ length: 5 }, () => runMigrations(mongo.db, { log: silentLog, migrations })),
  );
  t.equal(runs, 1);
  t.same(results.flat(), [12]);
});

t.test('a failing migration is not recorded and is retried next run', async (t) => {
  let attempts = 0;
  const flaky: Migration = {
    version: 13,
    name: 'flaky',
    async up() {
      attempts++;
      if (attempts === 1) throw new Error('index build failed');
    },
  };
  await t.rejects(runMigrations(mongo.db, { log: silentLog, migrations: [flaky] }), /index build failed/);
  t.same(await runMigrations(mongo.db, { log: silentLog, migrations: [flaky] }), [13]);
  t.equal(attempts, 2);
});
