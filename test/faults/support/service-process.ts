import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reaper } from './reaper.js';

export type ProcessName = 'simulator' | 'api' | 'processor' | 'notifier' | 'scheduler';

/** How one run of a process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcessOptions {
  readonly name: ProcessName;
  /** Entry point relative to the repository root, e.g. `services/api/src/main.ts`. */
  readonly entry: string;
  readonly root: string;
  /** The environment of every run; `start(extra)` adds to it for one run only. */
  readonly env: NodeJS.ProcessEnv;
  /** The port its HTTP server listens on (PORT or OPS_PORT): kept across restarts. */
  readonly port: number;
  /** What "up" means: `/ready` answering 200, or only `/health`. */
  readonly probePath: '/ready' | '/health';
  readonly reaper: Reaper;
  /** Every output line, stdout and stderr. */
  readonly onLine: (line: string, run: number) => void;
}

const NODE_ARGS = ['--conditions=orderflow-source', '--import', 'tsx'];
const TAIL_LINES = 8;

/**
 * One service of the system as a child process run from source, the way it is deployed:
 * started, killed with any signal and restarted on the same port as often as a scenario
 * needs. Output lines are kept for the invariant checker and for failure messages.
 */
export class ServiceProcess {
  readonly name: ProcessName;
  readonly base: string;
  /** Output of every run, oldest first. */
  readonly lines: string[] = [];
  readonly #options: ServiceProcessOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });
  #runs = 0;

  constructor(options: ServiceProcessOptions) {
    this.#options = options;
    this.name = options.name;
    this.base = `http://127.0.0.1:${options.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  /** How many times it was started. */
  get runs(): number {
    return this.#runs;
  }

  /** Resolves when the current run ends. */
  get exited(): Promise<ExitStatus> {
    return this.#exited;
  }

  /** Starts a run with `extra` variables on top of the shared ones (e.g. a fault point); waits until up. */
  async start(extra: Record<string, string> = {}, upTimeoutMs = 60_000): Promise<void> {
    this.launch(extra);
    await this.waitUp(upTimeoutMs);
  }

  /** Starts a run without waiting for it to be up. */
  launch(extra: Record<string, string> = {}): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const { root, entry, env, reaper, onLine } = this.#options;
    const run = ++this.#runs;
    const child = spawn(process.execPath, [...NODE_ARGS, entry], {
      cwd: root,
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    if (child.pid !== undefined) reaper.watch(child.pid);
    const keep = (line: string) => {
      this.lines.push(line);
      onLine(line, run);
    };
    createInterface({ input: child.stdout }).on('line', keep);
    createInterface({ input: child.stderr }).on('line', keep);
    this.#exited = once(child, 'exit').then(([code, signal]) => {
      if (child.pid !== undefined) reaper.forget(child.pid);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  /** Polls its probe until it answers 200; fails early when the run ends. */
  async waitUp(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const url = this.base + this.#options.probePath;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting\n${this.tail()}`);
      const status = await fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await sleep(100);
    }
    throw new Error(`${this.name} was not up at ${url} within ${timeoutMs} ms\n${this.tail()}`);
  }

  /** Sends `signal` (SIGKILL by default) and waits for the run to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitStatus> {
    if (this.running) this.#child?.kill(signal);
    return this.#exited;
  }

  /** Waits for the run to end by itself (a fault point), failing after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<ExitStatus> {
    const timeUp = new AbortController();
    const timer = sleep(timeoutMs, 'timeout' as const, { signal: timeUp.signal }).catch(() => 'cancelled' as const);
    const result = await Promise.race([this.#exited, timer]);
    timeUp.abort();
    if (typeof result === 'string') throw new Error(`${this.name} did not exit within ${timeoutMs} ms\n${this.tail()}`);
    return result;
  }

  /** Stops the current run (gracefully, else SIGKILL) and starts a plain one: no fault point. */
  async restart(upTimeoutMs = 60_000): Promise<void> {
    await this.stop();
    await this.start({}, upTimeoutMs);
  }

  /** SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the run has ended. */
  async stop(graceMs = 15_000): Promise<ExitStatus> {
    if (!this.running) return this.#exited;
    this.#child?.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), graceMs);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Its last output lines, for failure messages. */
  tail(count = TAIL_LINES, keep: (line: string) => boolean = () => true): string {
    return this.lines
      .filter(keep)
      .slice(-count)
      .map((line) => `  ${this.name}│ ${line.slice(0, 300)}`)
      .join('\n');
  }
}
