import { availableParallelism } from 'node:os';

/**
 * Connections that every client of one FerretDB we start may hold together. FerretDB
 * 1.24 runs an update as a query that keeps its pooled backend connection while the
 * document is written on a second one; once every connection of its pool (50 on
 * PostgreSQL) is held by an update waiting for another, it never answers again, for any
 * client. With at most this many commands in flight a connection is always free. Two
 * are left for a migrating or measuring client of the same server.
 */
export const FERRETDB_CLIENT_CONNECTIONS = 46;

/**
 * MONGO_MAX_POOL_SIZE for each of `processes` processes sharing one FerretDB, so that
 * together they stay within FERRETDB_CLIENT_CONNECTIONS (2 at least each).
 */
export function ferretPoolSizeFor(processes: number): number {
  return Math.max(2, Math.floor(FERRETDB_CLIENT_CONNECTIONS / Math.max(1, processes)));
}

/**
 * MONGO_MAX_POOL_SIZE for a whole stack on one FerretDB we started: a client for each
 * api worker (API_WORKERS, default one per core) and for the processor, notifier and
 * scheduler. Undefined when `env` sets MONGO_MAX_POOL_SIZE itself.
 */
export function stackPoolSize(env: NodeJS.ProcessEnv): string | undefined {
  if (env.MONGO_MAX_POOL_SIZE !== undefined && env.MONGO_MAX_POOL_SIZE.trim() !== '') return undefined;
  const apiWorkers = Number(env.API_WORKERS) || availableParallelism();
  return String(ferretPoolSizeFor(apiWorkers + 3));
}
