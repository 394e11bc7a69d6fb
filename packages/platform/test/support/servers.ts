import type { Test } from 'tap';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { useTestServers, type TestServers } from '@orderflow/testkit';
import {
  connectNats,
  createLogger,
  createMongo,
  type Logger,
  type MongoHandle,
  type NatsHandle,
} from '@orderflow/platform';

export const silentLog: Logger = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });

/** Real NATS and MongoDB-compatible servers for one test file, with connections to them. */
export interface Connected {
  readonly servers: TestServers;
  readonly nats: NatsHandle;
  readonly jsm: JetStreamManager;
  readonly mongo: MongoHandle;
}

export async function connectTestServers(t: Test): Promise<Connected> {
  const servers = await useTestServers(t);
  const nats = await connectNats(
    { url: servers.natsUrl, user: undefined, password: undefined, token: undefined },
    { name: 'test', log: silentLog, onFatal: (error) => t.fail(`NATS closed: ${error.message}`) },
  );
  t.teardown(() => nats.drain());
  const mongo = createMongo({ url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 5, timeoutMs: 5_000 }, 'test');
  t.teardown(async () => {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  return { servers, nats, jsm: await jetstreamManager(nats.nc), mongo };
}
