import pg from 'pg';

/** The server the PostgreSQL-backend tests use, as startMongo would pick it. */
export const postgresAdminUrl =
  process.env.FERRETDB_POSTGRESQL_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of another database on the admin server. */
export function pgUrl(database: string): string {
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A connected client; the caller ends it. */
export async function pgConnect(url: string = postgresAdminUrl): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  // Dropped WITH (FORCE) under it in some tests; unhandled, the error would crash the run.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs one statement on its own connection (to `url`, default the admin one) and closes it. */
export async function pgQuery<R extends pg.QueryResultRow>(
  sql: string,
  values: unknown[] = [],
  url: string = postgresAdminUrl,
): Promise<R[]> {
  const client = await pgConnect(url);
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether a database of that name exists on the admin server. */
export async function pgDatabaseExists(name: string): Promise<boolean> {
  return (await pgQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
}

/** False when PostgreSQL answers; otherwise the reason to skip the tests that need it. */
export async function postgresSkipReason(): Promise<false | string> {
  try {
    await pgQuery('SELECT 1');
    return false;
  } catch (error) {
    const shown = new URL(postgresAdminUrl);
    if (shown.password !== '') shown.password = '***';
    return `no PostgreSQL at ${shown.toString()} (${String(error)}); set FERRETDB_POSTGRESQL_URL to test that backend`;
  }
}
