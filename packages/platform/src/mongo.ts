import { MongoClient, type Db } from 'mongodb';
import type { Logger } from 'pino';

export type { Db, MongoClient } from 'mongodb';

export interface MongoSettings {
  readonly url: string;
  readonly db: string;
  readonly maxPoolSize: number;
  /** How long an operation waits for a reachable server before failing. */
  readonly timeoutMs: number;
  /**
   * How long one command may wait for its answer before its connection is closed and the
   * command fails (retryable reads and writes are retried once); 0 waits forever. Idle
   * pooled connections are not affected. Default `MONGO_SOCKET_TIMEOUT_MS_DEFAULT`.
   */
  readonly socketTimeoutMs?: number;
  /** Emit command events (for `measureMongoCommands`). */
  readonly monitorCommands?: boolean;
}

export interface MongoHandle {
  readonly client: MongoClient;
  readonly db: Db;
  /**
   * True while the driver knows the server is down: a heartbeat failed, or every server
   * it knew became unknown, and none has answered since. Callers that must not wait out
   * server selection (the api's requests) refuse at once instead.
   */
  readonly knownDown: boolean;
  /** Resolves when a `ping` succeeds within `timeoutMs`, rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * How often the driver checks the server. Also how soon a client that stopped sending
 * operations during an outage (see `knownDown`) notices the server is back.
 */
export const MONGO_HEARTBEAT_MS = 2_000;

/**
 * A command the server never answers (a stuck connection, a wedged server thread) fails
 * after this long instead of holding its caller, and every later change of that order,
 * forever.
 */
export const MONGO_SOCKET_TIMEOUT_MS_DEFAULT = 30_000;

/**
 * The one MongoDB client of a process. It connects lazily: a process whose database is
 * down still starts, reports not-ready, and recovers when the server returns.
 */
export function createMongo(settings: MongoSettings, appName: string, log?: Logger): MongoHandle {
  const client = new MongoClient(settings.url, {
    appName,
    maxPoolSize: settings.maxPoolSize,
    serverSelectionTimeoutMS: settings.timeoutMs,
    connectTimeoutMS: settings.timeoutMs,
    socketTimeoutMS: settings.socketTimeoutMs ?? MONGO_SOCKET_TIMEOUT_MS_DEFAULT,
    heartbeatFrequencyMS: MONGO_HEARTBEAT_MS,
    retryWrites: true,
    monitorCommands: settings.monitorCommands ?? false,
  });
  let down = false;
  const markDown = () => {
    if (!down) log?.warn({ 'event.action': 'mongo-unreachable' }, 'MongoDB unreachable');
    down = true;
  };
  const markUp = () => {
    if (down) log?.info({ 'event.action': 'mongo-recovered' }, 'MongoDB reachable again');
    down = false;
  };
  client.on('serverHeartbeatFailed', markDown);
  client.on('serverHeartbeatSucceeded', markUp);
  client.on('topologyDescriptionChanged', ({ previousDescription, newDescription }) => {
    if (newDescription.hasKnownServers) markUp();
    else if (previousDescription.hasKnownServers) markDown();
  });
  const db = client.db(settings.db);
  return {
    client,
    db,
    get knownDown() {
      return down;
    },
    async ping(timeoutMs = settings.timeoutMs) {
      await db.command({ ping: 1 }, { timeoutMS: timeoutMs });
    },
    async close() {
      await client.close();
    },
  };
}
