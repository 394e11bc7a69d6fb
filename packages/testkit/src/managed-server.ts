import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './free-port.js';
import { ownsListeningPort } from './listening-owner.js';
import { logSize, logTail } from './log-tail.js';
import { pollUntil } from './poll.js';
import { ServerGuard } from './server-guard.js';
import { ServerStartError } from './server-start-error.js';
import type { ServerSpec } from './server-spec.js';
import type { ServerHandle, StartOptions } from './types.js';

const host = '127.0.0.1';
const logFileName = 'server.log';
// A free port can be taken by someone else before the server binds it.
const maxPortAttempts = 3;

/**
 * Starts `binary` as described by `spec` under a guard and resolves once it answers.
 * On failure nothing is left running and the temp dir is gone.
 */
export async function startManagedServer(
  spec: ServerSpec,
  binary: string,
  options: StartOptions = {},
): Promise<ServerHandle> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), spec.tempDirPrefix)));
  const server = new ManagedServer(spec, binary, {
    dataDir,
    keepData: keepsData(options),
    env: options.env ?? process.env,
    log: options.log ?? (() => {}),
    port: options.port,
  });
  await server.start();
  return server;
}

/** Whether stop() leaves the data in place: asked for, or by default when the caller chose the dir. */
export function keepsData(options: StartOptions): boolean {
  return options.keepData ?? options.dataDir !== undefined;
}

interface ManagedServerOptions {
  dataDir: string;
  keepData: boolean;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  port: number | undefined;
}

/** A server process we own; see ServerHandle for the contract. */
class ManagedServer implements ServerHandle {
  readonly external = false;
  readonly dataDir: string;
  readonly #spec: ServerSpec;
  readonly #binary: string;
  readonly #options: ManagedServerOptions;
  readonly #logPath: string;
  #port = 0;
  #guard: ServerGuard | undefined;
  // Restarts and stops run one at a time, in call order.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(spec: ServerSpec, binary: string, options: ManagedServerOptions) {
    this.#spec = spec;
    this.#binary = binary;
    this.#options = options;
    this.dataDir = options.dataDir;
    this.#logPath = join(options.dataDir, logFileName);
  }

  get url(): string {
    return this.#spec.url(this.#port);
  }

  get pid(): number | undefined {
    return this.#guard?.serverPid;
  }

  /** First start: picks a port (again, if the first one turns out taken). */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.#port = this.#options.port ?? (await freePort());
      try {
        await this.#launch('started');
        return;
      } catch (error) {
        await this.#closeGuard();
        const retry =
          error instanceof ServerStartError &&
          error.addressInUse &&
          this.#options.port === undefined &&
          attempt < maxPortAttempts;
        if (!retry) throw error;
        this.#options.log(`${this.#spec.name}: port ${this.#port} was taken, trying another`);
      }
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, signal);
      this.#options.log(`${this.#spec.name}: sent ${signal} to pid ${pid}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  restart(): Promise<void> {
    return this.#serialized(async () => {
      await this.#guard?.terminate();
      try {
        await this.#launch('restarted');
      } catch (error) {
        // Keep the guard and data for inspection; stop() still cleans up.
        await this.#guard?.terminate();
        throw error;
      }
    });
  }

  stop(): Promise<void> {
    return this.#serialized(async () => {
      if (this.#guard === undefined) return;
      await this.#closeGuard();
      this.#options.log(`${this.#spec.name}: stopped`);
    });
  }

  #serialized(operation: () => Promise<void>): Promise<void> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #closeGuard(): Promise<void> {
    const guard = this.#guard;
    this.#guard = undefined;
    await guard?.close();
  }

  /** Launches the server (spawning a guard if there is none) and waits until it answers. */
  async #launch(verb: 'started' | 'restarted'): Promise<void> {
    if (this.#guard === undefined || this.#guard.isClosed) {
      // The dir may be gone after a stop() without keepData.
      await mkdir(this.dataDir, { recursive: true });
      this.#guard = new ServerGuard({
        command: this.#binary,
        args: this.#spec.args(this.dataDir, this.#port),
        dataDir: this.dataDir,
        logPath: this.#logPath,
        keepData: this.#options.keepData,
        env: this.#options.env,
        stopGraceMs: this.#spec.stopGraceMs,
      });
    }
    const logOffset = await logSize(this.#logPath);
    const run = await this.#guard.launch();
    const exitedEarly = new AbortController();
    let exitStatus: number | undefined;
    void run.exited.then((status) => {
      exitStatus = status;
      exitedEarly.abort(new Error(`exited with status ${status ?? 'unknown'}`));
    });
    try {
      await this.#waitReady(run.pid, exitedEarly.signal);
    } catch (error) {
      const exited = exitedEarly.signal.aborted;
      const tail = await logTail(this.#logPath, logOffset);
      const reason = exited
        ? `exited with status ${exitStatus ?? 'unknown'} during startup`
        : `did not answer on ${host}:${this.#port} within ${this.#spec.startupTimeoutMs} ms`;
      // Quoted rather than referenced: a failed first start removes the temp dir.
      const logText = tail === '' ? ' (its log is empty)' : `. Last lines of its log:\n${tail}`;
      const addressInUse = /address already in use/i.test(tail);
      const message = `${this.#spec.name} ${reason}${logText}`;
      throw new ServerStartError(message, addressInUse, { cause: error });
    }
    void run.exited.then((status) => {
      this.#options.log(`${this.#spec.name}: pid ${run.pid} exited with status ${status ?? 'unknown'}`);
    });
    this.#options.log(`${this.#spec.name}: ${verb} (pid ${run.pid}) at ${this.url}, data in ${this.dataDir}`);
  }

  async #waitReady(pid: number, signal: AbortSignal): Promise<void> {
    const timeoutMs = this.#spec.startupTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    // Probing alone could be answered by another process that holds the port.
    await pollUntil(async () => (await ownsListeningPort(pid, this.#port)) !== false, {
      timeoutMs,
      intervalMs: 20,
      signal,
      what: `${this.#spec.name} (pid ${pid}) to listen on port ${this.#port}`,
    });
    await this.#spec.waitReady(host, this.#port, Math.max(deadline - Date.now(), 1), signal);
  }
}
