import { ExternalServer } from './external-server.js';
import { ferretSpec } from './ferret-spec.js';
import { prepareFerretStorage } from './ferret-storage.js';
import { findBinary } from './find-binary.js';
import { keepsData, startManagedServer } from './managed-server.js';
import { startPostgresBackedServer } from './postgres-backed-server.js';
import type { ServerHandle, StartOptions } from './types.js';

/**
 * Starts a MongoDB-compatible server (FerretDB) on a free port and a fresh state dir,
 * resolving once it accepts connections. FERRETDB_BACKEND picks its storage: `sqlite`
 * (files in the data dir), `postgresql` (a fresh database on FERRETDB_POSTGRESQL_URL,
 * dropped by stop()) or `auto` (the default: PostgreSQL when usable within about a
 * second, else SQLite). When MONGO_URL is set, returns an external handle for it instead.
 */
export async function startMongo(options: StartOptions = {}): Promise<ServerHandle> {
  const env = options.env ?? process.env;
  const externalUrl = env.MONGO_URL?.trim();
  if (externalUrl) return new ExternalServer(externalUrl);
  // Before any database is created, so a missing binary leaves nothing behind.
  const binary = await findBinary('ferretdb', env);
  const keepData = keepsData(options);
  const log = options.log ?? (() => {});
  const storage = await prepareFerretStorage({ env, keepData, dataDirGiven: options.dataDir !== undefined, log });
  const spec = ferretSpec(storage);
  if (storage.kind === 'sqlite') return startManagedServer(spec, binary, options);
  return startPostgresBackedServer(spec, binary, options, { database: storage.database, keepData, log });
}
