import { MongoClient, type Db } from 'mongodb';
import type { Logger } from 'pino';

export type { Db, MongoClient } from 'mongodb';

export interface MongoSettings {
  readonly url: string;
  readonly db: string;
  readonly maxPoolSize: number;
  /** How long an operation waits for a reachable server before failing. */
  readonly timeoutMs: number;
}

export interface MongoHandle {
  readonly client: MongoClient;
  readonly db: Db;
  /** Resolves when a `ping` succeeds within `timeoutMs`, rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

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
    retryWrites: true,
  });
  let healthy: boolean | undefined;
  client.on('serverHeartbeatFailed', () => {
    if (healthy !== false) log?.warn({ 'event.action': 'mongo-unreachable' }, 'MongoDB heartbeat failed');
    healthy = false;
  });
  client.on('serverHeartbeatSucceeded', () => {
    if (healthy === false) log?.info({ 'event.action': 'mongo-recovered' }, 'MongoDB reachable again');
    healthy = true;
  });
  const db = client.db(settings.db);
  return {
    client,
    db,
    async ping(timeoutMs = settings.timeoutMs) {
      await db.command({ ping: 1 }, { timeoutMS: timeoutMs });
    },
    async close() {
      await client.close();
    },
  };
}
