/** How to run and probe one kind of server under a guard. */
export interface ServerSpec {
  /** Used in messages, e.g. `nats-server`. */
  readonly name: string;
  /** Prefix of the temp dir under os.tmpdir(). */
  readonly tempDirPrefix: string;
  readonly startupTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL on stop. */
  readonly stopGraceMs: number;
  args(dataDir: string, port: number): string[];
  url(port: number): string;
  /** Resolves once the server on host:port answers; rejects on timeout or abort. */
  waitReady(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
}
