import pg from 'pg';

import { errorMessage } from './error-message.js';
import { withAdminClient } from './postgres-admin.js';
import { throwawayDatabaseCreatedAtMs, throwawayDatabasePrefix } from './test-database-name.js';

/** Far beyond any test run (tap's timeout is minutes), so only orphans qualify. */
const staleDatabaseAgeMs = 2 * 60 * 60 * 1_000;
const stepTimeoutMs = 5_000;
// Many orphans should not make one start slow; the next start continues.
const sweepBudgetMs = 5_000;

/**
 * Drops throwaway test databases older than staleDatabaseAgeMs: a process killed with
 * SIGKILL never reaches stop(), so nothing else removes them. Databases someone is
 * connected to are left alone (no FORCE). Best effort: reports through `log`, never
 * rejects, and returns how many it dropped.
 */
export async function dropStaleDatabases(
  adminUrl: string,
  log: (line: string) => void,
  nowMs: number = Date.now(),
): Promise<number> {
  const deadline = Date.now() + sweepBudgetMs;
  let dropped = 0;
  try {
    await withAdminClient(adminUrl, stepTimeoutMs, async (client) => {
      // PostgreSQL waits up to 5 s for the sessions of a database it is asked to drop;
      // skipping databases in use keeps every start from paying that for a live one.
      const result = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database d
          WHERE starts_with(datname, $1)
            AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)`,
        [throwawayDatabasePrefix],
      );
      const stale = result.rows
        .map((row) => row.datname)
        .filter((name) => {
          const createdAtMs = throwawayDatabaseCreatedAtMs(name);
          return createdAtMs !== undefined && nowMs - createdAtMs > staleDatabaseAgeMs;
        });
      for (const name of stale) {
        if (Date.now() > deadline) break;
        try {
          await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
          dropped++;
        } catch (error) {
          log(`ferretdb: left stale PostgreSQL database ${name} in place: ${errorMessage(error)}`);
        }
      }
    });
  } catch (error) {
    log(`ferretdb: could not look for stale PostgreSQL databases: ${errorMessage(error)}`);
  }
  if (dropped > 0) log(`ferretdb: dropped ${dropped} stale PostgreSQL database(s) older than 2 h`);
  return dropped;
}
