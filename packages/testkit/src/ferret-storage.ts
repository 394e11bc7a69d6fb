import { dropStaleDatabases } from './drop-stale-databases.js';
import { errorMessage } from './error-message.js';
import { readFerretBackendConfig } from './ferret-backend-setting.js';
import { createDatabase, type PostgresDatabase } from './postgres-admin.js';
import { redactUrl } from './redact-url.js';
import { testDatabaseName } from './test-database-name.js';

/** Where one FerretDB keeps its data. */
export type FerretStorage = { kind: 'sqlite' } | { kind: 'postgresql'; database: PostgresDatabase };

/** What decides the storage of one FerretDB start. */
export interface FerretStorageOptions {
  env: NodeJS.ProcessEnv;
  /** The database is kept after stop() (and named so the stale sweep leaves it alone). */
  keepData: boolean;
  /** The caller chose the data dir, so under `auto` its data stays there (SQLite). */
  dataDirGiven: boolean;
  log: (line: string) => void;
}

// `auto` must not slow every start down when PostgreSQL is absent or struggling.
const autoStepTimeoutMs = 1_000;
// An explicit choice may wait longer before failing the start.
const explicitStepTimeoutMs = 10_000;

/**
 * Applies FERRETDB_BACKEND: for PostgreSQL creates a fresh database (which doubles as the
 * `auto` probe) and sweeps stale ones; logs one line saying which backend and why.
 * Rejects only when PostgreSQL was asked for explicitly and cannot be used.
 */
export async function prepareFerretStorage(options: FerretStorageOptions): Promise<FerretStorage> {
  const { env, keepData, dataDirGiven, log } = options;
  const { setting, adminUrl } = readFerretBackendConfig(env);
  if (setting === 'sqlite') {
    log('ferretdb: SQLite backend (FERRETDB_BACKEND=sqlite)');
    return { kind: 'sqlite' };
  }
  if (setting === 'auto' && dataDirGiven) {
    log('ferretdb: SQLite backend (FERRETDB_BACKEND=auto and a dataDir was given, so the data stays in it)');
    return { kind: 'sqlite' };
  }
  const database: PostgresDatabase = { adminUrl, name: testDatabaseName(keepData) };
  try {
    await createDatabase(database, setting === 'auto' ? autoStepTimeoutMs : explicitStepTimeoutMs);
  } catch (error) {
    const why = `PostgreSQL at FERRETDB_POSTGRESQL_URL=${redactUrl(adminUrl)} cannot be used: ${errorMessage(error)}`;
    if (setting === 'postgresql') throw new Error(`FERRETDB_BACKEND=postgresql, but ${why}`, { cause: error });
    log(`ferretdb: SQLite backend (FERRETDB_BACKEND=auto and ${why})`);
    return { kind: 'sqlite' };
  }
  const why =
    setting === 'auto'
      ? 'FERRETDB_BACKEND=auto and the server accepted CREATE DATABASE'
      : 'FERRETDB_BACKEND=postgresql';
  log(`ferretdb: PostgreSQL backend (${why}), database ${database.name} on ${redactUrl(adminUrl)}`);
  await dropStaleDatabases(adminUrl, log);
  return { kind: 'postgresql', database };
}
