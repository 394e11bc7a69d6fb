import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { pipeLines } from './log-lines.js';

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** Starts `node [nodeArgs] <entry>` with its output prefixed by `name`. */
export function startProcess(
  name: string,
  index: number,
  nodeArgs: readonly string[],
  entry: string,
  env: NodeJS.ProcessEnv,
  output: { readonly raw: boolean; readonly color: boolean },
): Managed {
  const child = spawn(process.execPath, [...nodeArgs, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const write = (line: string) => process.stdout.write(`${line}\n`);
  pipeLines(child.stdout, name, index, { ...output, write });
  pipeLines(child.stderr, name, index, { ...output, write });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { name, child, exited };
}

/** SIGTERM to every process, SIGKILL to any still running after `graceMs`. */
export async function stopAll(processes: readonly Managed[], graceMs: number): Promise<void> {
  const running = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (const p of running) p.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }, graceMs);
  await Promise.all(running.map((p) => p.exited));
  clearTimeout(timer);
}
