import { errorMessage } from './error-message.js';
import { startManagedServer } from './managed-server.js';
import { createDatabase, dropDatabase, type PostgresDatabase } from './postgres-admin.js';
import type { ServerSpec } from './server-spec.js';
import type { ServerHandle, StartOptions } from './types.js';

const databaseTimeoutMs = 10_000;

/** The PostgreSQL side of a FerretDB start. */
export interface PostgresBacking {
  /** Already created; dropped by stop() unless keepData. */
  database: PostgresDatabase;
  keepData: boolean;
  log: (line: string) => void;
}

/**
 * Starts FerretDB on an existing PostgreSQL database and ties the database's lifetime to
 * the handle. If FerretDB does not come up, the database is dropped (unless keepData).
 */
export async function startPostgresBackedServer(
  spec: ServerSpec,
  binary: string,
  options: StartOptions,
  backing: PostgresBacking,
): Promise<ServerHandle> {
  try {
    const server = await startManagedServer(spec, binary, options);
    return new PostgresBackedServer(server, backing);
  } catch (error) {
    if (!backing.keepData) {
      await dropDatabase(backing.database, databaseTimeoutMs, { force: true }).catch((dropError: unknown) => {
        backing.log(`ferretdb: could not drop ${backing.database.name}: ${errorMessage(dropError)}`);
      });
    }
    throw error;
  }
}

/**
 * A managed FerretDB whose data lives in its own PostgreSQL database. kill/restart keep
 * the database (fault tests restart on the same data); stop() drops it once FerretDB has
 * exited, unless keepData.
 */
class PostgresBackedServer implements ServerHandle {
  readonly external = false;
  readonly #server: ServerHandle;
  readonly #backing: PostgresBacking;
  #dropped = false;
  // Restarts and stops run one at a time, so a drop never races a re-create.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(server: ServerHandle, backing: PostgresBacking) {
    this.#server = server;
    this.#backing = backing;
  }

  get url(): string {
    return this.#server.url;
  }

  get pid(): number | undefined {
    return this.#server.pid;
  }

  get dataDir(): string | undefined {
    return this.#server.dataDir;
  }

  kill(signal?: NodeJS.Signals): void {
    this.#server.kill(signal);
  }

  restart(): Promise<void> {
    return this.#serialized(async () => {
      // After stop() the data is gone, as the temp dir of a SQLite-backed server would be.
      if (this.#dropped) {
        await createDatabase(this.#backing.database, databaseTimeoutMs);
        this.#dropped = false;
      }
      await this.#server.restart();
    });
  }

  stop(): Promise<void> {
    return this.#serialized(async () => {
      await this.#server.stop();
      if (this.#backing.keepData || this.#dropped) return;
      const { name } = this.#backing.database;
      try {
        await dropDatabase(this.#backing.database, databaseTimeoutMs, { force: true });
        this.#dropped = true;
        this.#backing.log(`ferretdb: dropped PostgreSQL database ${name}`);
      } catch (error) {
        // A failing teardown would hide the test's own result; the stale sweep of a later
        // start removes the database, and the next stop() tries again.
        this.#backing.log(`ferretdb: could not drop PostgreSQL database ${name}: ${errorMessage(error)}`);
      }
    });
  }

  #serialized(operation: () => Promise<void>): Promise<void> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => {});
    return result;
  }
}
