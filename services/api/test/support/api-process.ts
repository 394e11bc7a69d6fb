import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * The api's main.ts run from source as a child process, the way it is deployed; its
 * stdout (ECS JSON lines) parsed for the test, stderr kept for failure messages, killed
 * at teardown if still running. `processGroup`: it leads a process group of its own, so
 * a test can signal the whole group the way a terminal's Ctrl-C does.
 */
export function startApiProcess(t: Test, env: Record<string, string>, { processGroup = false } = {}) {
  const child = spawn(
    process.execPath,
    ['--conditions=orderflow-source', '--import', 'tsx', 'services/api/src/main.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: processGroup,
    },
  );
  const logLines: Record<string, any>[] = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logLines.push(JSON.parse(line) as Record<string, any>);
    } catch {
      logLines.push({ message: line });
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  t.teardown(() => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (processGroup && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  });
  return { child, exited, logLines, stderr: () => stderr };
}
