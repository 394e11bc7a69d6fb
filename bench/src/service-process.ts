import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** One service (or the simulator) running as `node --import @orderflow/platform/register <entry>`. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | string | null>;
  /** Polls `url` until it answers 200; fails with the end of the log when the process exits or time runs out. */
  waitReady(url: string, timeoutMs: number): Promise<void>;
}

/** What a service is started with. */
export interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  /** Where `@orderflow/platform/register` resolves from: the repository root. */
  readonly cwd: string;
  /** Writes V8 CPU profiles (`--cpu-prof`) of the process and its workers here on exit. */
  readonly cpuProfileDir?: string | undefined;
}

const TAIL_LINES = 40;

/** Starts a service with stdout and stderr appended to its log file, not the terminal. */
export function spawnService(spec: ServiceSpec): ServiceProcess {
  const fd = openSync(spec.logFile, 'a');
  // Telemetry first (SPEC §9), as every entrypoint runs in production.
  const profile = spec.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${spec.cpuProfileDir}`];
  const child = spawn(process.execPath, [...profile, '--import', '@orderflow/platform/register', spec.entry], {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? (signal as string | null));
  let exitCode: number | string | null | undefined;
  void exited.then((code) => (exitCode = code));
  return {
    name: spec.name,
    child,
    logFile: spec.logFile,
    exited,
    async waitReady(url, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitCode !== undefined) {
          throw new Error(`${spec.name} exited with ${exitCode} while starting\n${await logTail(spec.logFile)}`);
        }
        const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`${spec.name} was not ready at ${url} within ${timeoutMs} ms\n${await logTail(spec.logFile)}`);
    },
  };
}

/** SIGTERM to every running service, SIGKILL to any still running after `graceMs`. */
export async function stopServices(services: readonly ServiceProcess[], graceMs: number): Promise<void> {
  const running = services.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  for (const s of running) s.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  }, graceMs);
  await Promise.all(running.map((s) => s.exited));
  clearTimeout(timer);
}

/** The last lines of a log file, indented, for an error message. */
export async function logTail(path: string, lines = TAIL_LINES): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const tail = text.trimEnd().split('\n').slice(-lines);
  return [`--- last ${tail.length} lines of ${path} ---`, ...tail.map((line) => `  ${line}`)].join('\n');
}
