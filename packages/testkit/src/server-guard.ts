import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';

import { guardScript } from './guard-script.js';

/** What the guard supervises. */
export interface GuardOptions {
  command: string;
  args: readonly string[];
  dataDir: string;
  /** Receives the server's stdout and stderr (and the guard's own complaints). */
  logPath: string;
  /** Leave dataDir in place when the guard shuts down. */
  keepData: boolean;
  env: NodeJS.ProcessEnv;
  /** Time between SIGTERM and SIGKILL when stopping the server. */
  stopGraceMs: number;
}

/** One launch of the server process. */
export interface ServerRun {
  pid: number;
  /** Resolves with the wait status when this run ends (undefined if the guard vanished). */
  exited: Promise<number | undefined>;
}

/** How long the guard may take to answer a command beyond the server's own stop grace. */
const replyTimeoutMs = 10_000;

interface ActiveRun extends ServerRun {
  resolveExit: (status: number | undefined) => void;
}

/**
 * Node side of the bash guard (see guard-script.ts): one guard per data dir, which may
 * launch the server several times. The guard's pipes are unreferenced except while an
 * operation waits on it, so an idle server never keeps the event loop alive.
 */
export class ServerGuard {
  readonly #child: ChildProcess;
  readonly #events = new EventEmitter();
  readonly #closed: Promise<void>;
  #isClosed = false;
  #run: ActiveRun | undefined;
  #refs = 0;
  readonly #stopGraceMs: number;

  constructor(options: GuardOptions) {
    this.#stopGraceMs = options.stopGraceMs;
    const graceTenths = String(Math.ceil(options.stopGraceMs / 100));
    this.#child = spawn(
      'bash',
      [
        '-c',
        guardScript,
        'orderflow-guard',
        options.logPath,
        options.dataDir,
        options.keepData ? '1' : '0',
        graceTenths,
        options.command,
        ...options.args,
      ],
      // A session of its own keeps terminal signals away: only the stdin pipe decides.
      { detached: true, stdio: ['pipe', 'pipe', 'ignore'], env: options.env },
    );
    this.#closed = new Promise((resolve) => {
      const finish = (): void => {
        if (this.#isClosed) return;
        this.#isClosed = true;
        this.#finishRun(undefined);
        this.#events.emit('closed');
        resolve();
      };
      this.#child.once('close', finish);
      this.#child.once('error', finish);
    });
    // EPIPE after the guard is gone is expected; 'closed' already tells the story.
    this.#child.stdin?.on('error', () => {});
    if (this.#child.stdout !== null) {
      createInterface({ input: this.#child.stdout }).on('line', (line) => this.#onLine(line));
    }
    this.#applyRef(false);
  }

  /** Pid of the server process while it runs. */
  get serverPid(): number | undefined {
    return this.#run?.pid;
  }

  /** True once the guard process has exited (after stopping the server and cleaning up). */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Launches the server unless it is running, and reports the run. */
  async launch(): Promise<ServerRun> {
    return this.#holdingRef(async () => {
      // Captured while the line is handled: an `exited` line may follow in the same chunk.
      const started = this.#next('started', () => this.#run, replyTimeoutMs);
      this.#send('start');
      const run = await started;
      if (run === undefined) throw new Error('The server guard reported a start without a pid');
      return { pid: run.pid, exited: run.exited };
    });
  }

  /** Stops the running server gracefully and waits for it; resolves at once if none runs. */
  async terminate(): Promise<void> {
    if (this.#run === undefined || this.#isClosed) return;
    await this.#holdingRef(async () => {
      const exited = this.#next('exited', () => undefined, this.#stopGraceMs + replyTimeoutMs);
      this.#send('stop');
      await exited;
    });
  }

  /** Closes the guard's stdin and waits until it has stopped the server and cleaned up. Idempotent. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    await this.#holdingRef(async () => {
      this.#child.stdin?.end();
      await this.#closed;
    });
  }

  #onLine(line: string): void {
    const [event, value] = line.trim().split(' ');
    if (event === 'started' && value !== undefined) {
      const pid = Number(value);
      if (this.#run?.pid !== pid) this.#run = activeRun(pid);
      this.#events.emit('started');
    } else if (event === 'exited' && value !== undefined) {
      this.#finishRun(Number(value));
      this.#events.emit('exited');
    }
  }

  #finishRun(status: number | undefined): void {
    const run = this.#run;
    this.#run = undefined;
    run?.resolveExit(status);
  }

  /**
   * Resolves with what `capture` returns when the next `event` line is handled; rejects
   * if the guard exits first or stays silent for `timeoutMs`. `capture` runs before any
   * later line is handled.
   */
  #next<T>(event: 'started' | 'exited', capture: () => T, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.#isClosed) {
        reject(new Error('The server guard has already exited'));
        return;
      }
      const settle = (): void => {
        clearTimeout(timer);
        this.#events.off(event, onEvent);
        this.#events.off('closed', onClosed);
      };
      const onEvent = (): void => {
        settle();
        resolve(capture());
      };
      const onClosed = (): void => {
        settle();
        reject(new Error(`The server guard exited while waiting for "${event}"`));
      };
      const timer = setTimeout(() => {
        settle();
        reject(new Error(`The server guard did not report "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#events.once(event, onEvent);
      this.#events.once('closed', onClosed);
    });
  }

  #send(command: 'start' | 'stop'): void {
    this.#child.stdin?.write(`${command}\n`);
  }

  async #holdingRef<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#refs++ === 0) this.#applyRef(true);
    try {
      return await operation();
    } finally {
      if (--this.#refs === 0) this.#applyRef(false);
    }
  }

  #applyRef(referenced: boolean): void {
    const handles = [this.#child, this.#child.stdin as Socket | null, this.#child.stdout as Socket | null];
    for (const handle of handles) {
      if (referenced) handle?.ref();
      else handle?.unref();
    }
  }
}

function activeRun(pid: number): ActiveRun {
  let resolveExit: (status: number | undefined) => void = () => {};
  const exited = new Promise<number | undefined>((resolve) => {
    resolveExit = resolve;
  });
  return { pid, exited, resolveExit };
}
