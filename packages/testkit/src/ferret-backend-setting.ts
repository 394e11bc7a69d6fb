/** Which storage FerretDB uses; `auto` prefers PostgreSQL when it is usable. */
export type FerretBackendSetting = 'sqlite' | 'postgresql' | 'auto';

/** Where `startMongo` reads its backend choice from. */
export interface FerretBackendConfig {
  setting: FerretBackendSetting;
  /** Admin connection to the PostgreSQL server that gets one database per FerretDB. */
  adminUrl: string;
}

/** The server this machine is expected to run for tests: local, trust auth. */
const defaultPostgresqlUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

const settings: readonly FerretBackendSetting[] = ['sqlite', 'postgresql', 'auto'];

/**
 * Reads FERRETDB_BACKEND (default `auto`) and FERRETDB_POSTGRESQL_URL. An unknown backend
 * throws rather than silently picking one, so a typo cannot change what a run measures.
 */
export function readFerretBackendConfig(env: NodeJS.ProcessEnv): FerretBackendConfig {
  const raw = env.FERRETDB_BACKEND?.trim().toLowerCase() || 'auto';
  const setting = settings.find((candidate) => candidate === raw);
  if (setting === undefined) {
    throw new Error(`FERRETDB_BACKEND=${raw} is not one of ${settings.join(', ')}`);
  }
  const adminUrl = env.FERRETDB_POSTGRESQL_URL?.trim() || defaultPostgresqlUrl;
  return { setting, adminUrl };
}
