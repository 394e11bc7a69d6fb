import t from 'tap';
import type { CommandStartedEvent } from 'mongodb';
import { createMongo } from '@orderflow/platform';
import { startMongo, uniqueName } from '@orderflow/testkit';
import { createBatchedWrites } from '../src/batched-writes.js';
import type { EventDocument, OrderDocument } from '../src/documents.js';

/**
 * A server of this file's own, even in a run pointed at an external one: a store that
 * deadlocks would fail every other test sharing it.
 */
const ownServers: NodeJS.ProcessEnv = { ...process.env };
delete ownServers.MONGO_URL;

/** More than FerretDB's PostgreSQL pool (50 connections) holds. */
const BATCH = 120;

t.test(
  'a batch of published marks larger than the store\u2019s connection pool is one command, and the store goes on',
  async (t) => {
    const server = await startMongo({ env: ownServers });
    t.teardown(() => server.stop());
    const mongo = createMongo(
      {
        url: server.url,
        db: uniqueName('marks'),
        maxPoolSize: 4,
        timeoutMs: 5_000,
        socketTimeoutMs: 10_000,
        monitorCommands: true,
      },
      'test',
    );
    t.teardown(() => mongo.close());
    const events = mongo.db.collection<EventDocument>('order_events');
    const ids = Array.from({ length: BATCH }, (_, i) => `o${i}:1`);
    await events.insertMany(
      ids.map((_id, i) => ({
        _id,
        order_id: `o${i}`,
        seq: 1,
        type: 'order.cancelled',
        at: new Date(),
        data: { reason: 'test' },
        published_at: null,
        unpublished: true,
      })),
    );

    const updates: number[] = [];
    mongo.client.on('commandStarted', (event: CommandStartedEvent) => {
      if (event.commandName === 'update') updates.push((event.command.updates as unknown[]).length);
    });
    const writes = createBatchedWrites(events, mongo.db.collection<OrderDocument>('orders'), {
      batching: true,
      now: Date.now,
    });
    await Promise.all(ids.map((id) => writes.markPublished(id)));
    t.same(updates, [BATCH], 'one update command carried every mark');

    t.equal(await events.countDocuments({ published_at: { $ne: null } }), BATCH, 'every event is marked');
    t.equal(await events.countDocuments({ unpublished: true }), 0, 'and out of the sweep\u2019s index');
    await mongo.db.command({ ping: 1 });
    t.pass('the store still answers');
  },
);
