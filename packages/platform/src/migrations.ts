import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, IndexDescription } from 'mongodb';
import type { Logger } from 'pino';
import { TERMINAL_STATUSES } from './bus/topology.js';
import { createLease, LEASES_COLLECTION } from './lease.js';

/** One versioned, idempotent change of the database's collections and indexes. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Db): Promise<void>;
}

interface MigrationRecord {
  _id: number;
  name: string;
  applied_at: Date;
  applied_by: string;
}

export const MIGRATIONS_COLLECTION = 'migrations';

const NAMESPACE_EXISTS = 48;

async function ensureCollection(db: Db, name: string, indexes: IndexDescription[]): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (error) {
    if ((error as { code?: unknown }).code !== NAMESPACE_EXISTS) throw error;
  }
  if (indexes.length > 0) await db.collection(name).createIndexes(indexes);
}

/** The migrations of SPEC §8, in order. Append; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event store, snapshots, notifications, leases',
    async up(db) {
      await ensureCollection(db, 'order_events', [
        { key: { order_id: 1, seq: 1 }, name: 'order_seq', unique: true },
        { key: { published_at: 1, at: 1 }, name: 'unpublished' },
      ]);
      await ensureCollection(db, 'orders', [
        { key: { created_at: -1, _id: -1 }, name: 'newest' },
        { key: { status: 1, created_at: -1, _id: -1 }, name: 'status_newest' },
        { key: { customer_id: 1, created_at: -1, _id: -1 }, name: 'customer_newest' },
        { key: { lane: 1, created_at: -1, _id: -1 }, name: 'lane_newest' },
        { key: { status: 1, updated_at: 1 }, name: 'status_updated' },
        { key: { settle_at: 1 }, name: 'settle_at' },
      ]);
      await ensureCollection(db, 'notifications', [
        { key: { event_id: 1 }, name: 'event_id', unique: true },
        { key: { order_id: 1, created_at: 1 }, name: 'order_created' },
      ]);
      await ensureCollection(db, LEASES_COLLECTION, [{ key: { name: 1, term: 1 }, name: 'name_term' }]);
    },
  },
  {
    version: 2,
    name: 'notification attempts (one claim per retry of a mail)',
    async up(db) {
      await ensureCollection(db, 'notification_attempts', []);
    },
  },
  {
    version: 3,
    name: 'outbox marker: unpublished events carry unpublished: true',
    async up(db) {
      const events = db.collection('order_events');
      await events.updateMany({ published_at: null }, { $set: { unpublished: true } });
      await events.createIndexes([{ key: { unpublished: 1, at: 1 }, name: 'outbox' }]);
      // The sweep no longer asks by published_at: one index less to maintain per publish.
      const names = (await events.listIndexes().toArray()).map((index) => String((index as { name?: unknown }).name));
      if (names.includes('unpublished')) await events.dropIndex('unpublished');
    },
  },
  {
    version: 4,
    name: 'terminal snapshots carry process_time_ms (for /stats)',
    async up(db) {
      // The snapshot writer sets it from now on; this fills in orders that ended before.
      // Its status filter is served by the `status_*` indexes of version 1.
      const orders = db.collection<{ _id: string; created_at: Date; history?: { at: string; status: string }[] }>(
        'orders',
      );
      const untimed = orders.find(
        { status: { $in: [...TERMINAL_STATUSES] }, process_time_ms: { $exists: false } },
        { projection: { created_at: 1, history: 1 } },
      );
      for await (const order of untimed) {
        const ended = order.history?.find((entry) => (TERMINAL_STATUSES as readonly string[]).includes(entry.status));
        if (!ended) continue;
        const processTimeMs = Date.parse(ended.at) - order.created_at.getTime();
        await orders.updateOne({ _id: order._id }, { $set: { process_time_ms: processTimeMs } });
      }
    },
  },
];

export interface MigrateOptions {
  readonly log: Logger;
  readonly migrations?: readonly Migration[];
  /** How long to wait for another process's run to finish. */
  readonly timeoutMs?: number;
}

const LEASE_TERM_MS = 30_000;
const POLL_MS = 250;

/**
 * Applies the migrations not yet recorded in `migrations`, in version order, while
 * holding the `migrations` lease so concurrent starts never run them twice at once.
 * Returns the versions this call applied.
 */
export async function runMigrations(db: Db, options: MigrateOptions): Promise<number[]> {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  const records = db.collection<MigrationRecord>(MIGRATIONS_COLLECTION);
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  const lease = createLease(db, { name: 'migrations', owner, termMs: LEASE_TERM_MS });
  const deadlineMs = Date.now() + (options.timeoutMs ?? 2 * LEASE_TERM_MS);

  const pending = async () => {
    const done = new Set((await records.find({}, { projection: { _id: 1 } }).toArray()).map((r) => r._id));
    return migrations.filter((m) => !done.has(m.version));
  };

  for (;;) {
    if ((await pending()).length === 0) return [];
    if (await lease.tryAcquire()) break;
    if (Date.now() > deadlineMs) throw new Error('timed out waiting for another process to finish migrations');
    await sleep(POLL_MS);
  }

  const applied: number[] = [];
  try {
    for (const migration of await pending()) {
      if (!lease.isHeld() && !(await lease.tryAcquire())) {
        throw new Error(`lost the migrations lease before version ${migration.version}`);
      }
      const startedMs = Date.now();
      await migration.up(db);
      await records.insertOne({
        _id: migration.version,
        name: migration.name,
        applied_at: new Date(),
        applied_by: owner,
      });
      applied.push(migration.version);
      options.log.info(
        { 'event.action': 'migration-applied', migration: { version: migration.version } },
        `migration ${migration.version} (${migration.name}) applied in ${Date.now() - startedMs} ms`,
      );
    }
  } finally {
    await lease.release();
  }
  return applied;
}
