import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `tools/dlq/src/main.ts` as a separate Node process, the way the root `npm run dlq`
 * script does, with `env` added to this process's environment. Its standard input is a
 * pipe, closed at once: not a terminal.
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  const child = spawn(
    process.execPath,
    ['--conditions=orderflow-source', '--import', 'tsx', 'tools/dlq/src/main.ts', ...args],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
