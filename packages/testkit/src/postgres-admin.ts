import pg from 'pg';

/** Shown in pg_stat_activity, so a stuck admin session is easy to attribute. */
const applicationName = 'orderflow-testkit';

/** A database on a PostgreSQL server, reached through an admin connection URL. */
export interface PostgresDatabase {
  /** Admin connection (any database on the server); used to create and drop `name`. */
  adminUrl: string;
  name: string;
}

/**
 * Opens one admin connection, runs `use`, and always closes it: a pool would keep the
 * test process alive. Connecting and each query are bounded by `stepTimeoutMs`, on the
 * server too (statement_timeout), so a slow CREATE DATABASE is cancelled rather than
 * finished after we gave up on it.
 */
export async function withAdminClient<T>(
  adminUrl: string,
  stepTimeoutMs: number,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: stepTimeoutMs,
    query_timeout: stepTimeoutMs,
    statement_timeout: stepTimeoutMs,
    application_name: applicationName,
  });
  // A connection the server drops while idle emits 'error'; unhandled, it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database. */
export async function createDatabase(database: PostgresDatabase, timeoutMs: number): Promise<void> {
  await withAdminClient(database.adminUrl, timeoutMs, async (client) => {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database.name)}`);
  });
}

/**
 * Drops a database if it exists. `force` (PostgreSQL 13+) first disconnects its sessions;
 * without it a database someone is connected to is left alone and the call rejects.
 */
export async function dropDatabase(
  database: PostgresDatabase,
  timeoutMs: number,
  { force }: { force: boolean },
): Promise<void> {
  await withAdminClient(database.adminUrl, timeoutMs, async (client) => {
    const name = pg.escapeIdentifier(database.name);
    await client.query(`DROP DATABASE IF EXISTS ${name}${force ? ' WITH (FORCE)' : ''}`);
  });
}

/** The connection URL of another database on the same server, with the same credentials and parameters. */
export function databaseUrl(database: PostgresDatabase): string {
  const url = new URL(database.adminUrl);
  url.pathname = `/${encodeURIComponent(database.name)}`;
  return url.toString();
}
