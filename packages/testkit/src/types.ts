/** A running (or external) server that tests and the local run command talk to. */
export interface ServerHandle {
  /** `nats://127.0.0.1:PORT` or `mongodb://127.0.0.1:PORT/`. */
  readonly url: string;
  /** Pid of the real server process; undefined when external or while it is not running. */
  readonly pid: number | undefined;
  /** True when the URL came from NATS_URL / MONGO_URL and no process was started. */
  readonly external: boolean;
  /**
   * Directory holding the server's data and `server.log`; undefined when external. For
   * FerretDB on PostgreSQL it is the state dir, and the data lives in its own database.
   */
  readonly dataDir: string | undefined;
  /**
   * Kill the real server process with a signal (default SIGKILL, for fault tests).
   * The data dir and port are kept so that `restart()` can bring it back. No-op when external.
   */
  kill(signal?: NodeJS.Signals): void;
  /**
   * Restart on the same data dir and same port (after kill or stop; a running server is
   * stopped gracefully first). Resolves when it answers again. No-op when external.
   */
  restart(): Promise<void>;
  /**
   * Stop gracefully (SIGTERM, then SIGKILL after a grace period), wait for exit, remove the
   * temp dir unless keepData. Idempotent. No-op when external.
   */
  stop(): Promise<void>;
}

/** Options shared by `startNats` and `startMongo`. */
export interface StartOptions {
  /** Use this directory instead of a fresh temp dir; it is then kept unless keepData is false. */
  dataDir?: string;
  /** Listen on this port instead of a free one. */
  port?: number;
  /**
   * Leave the data dir (and a PostgreSQL-backed FerretDB's database) in place on stop
   * (default: false for temp dirs, true for `dataDir`).
   */
  keepData?: boolean;
  /** Receives one line per lifecycle event (started, killed, restarted, stopped) and FerretDB's backend choice. */
  log?: (line: string) => void;
  /**
   * Environment used to read NATS_URL / MONGO_URL / NATS_SERVER_BIN / FERRETDB_BIN / PATH,
   * FERRETDB_BACKEND / FERRETDB_POSTGRESQL_URL
   * and given to the server process. Default: `process.env`.
   */
  env?: NodeJS.ProcessEnv;
}
