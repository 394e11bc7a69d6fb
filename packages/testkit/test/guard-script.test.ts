import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import t, { type Test } from 'tap';

import { guardScript } from '../src/guard-script.js';

/** The guard around `sleep 60`, with its replies as a queue of lines. */
async function startGuard(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'orderflow-guard-test-'));
  const guard = spawn('bash', ['-c', guardScript, 'guard', join(dir, 'log'), dir, '0', '10', 'sleep', '60'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  t.teardown(() => void guard.kill('SIGKILL'));
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: guard.stdout }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const nextLine = (timeoutMs = 5_000): Promise<string> => {
    const queued = lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply from the guard within ${timeoutMs} ms`)), timeoutMs);
      waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  };
  const exited = new Promise<void>((resolve) => guard.once('exit', () => resolve()));
  return { dir, stdin: guard.stdin, nextLine, exited };
}

t.test('a command split across the read timeout is still one command', async (t) => {
  const guard = await startGuard(t);
  // The guard reads with a 0.2 s timeout; a line whose end comes later must not be lost.
  guard.stdin.write('sta');
  await delay(500);
  guard.stdin.write('rt\n');
  const started = await guard.nextLine();
  t.match(started, /^started \d+$/, `the guard answered: ${started}`);

  guard.stdin.write('st');
  await delay(500);
  guard.stdin.write('op\n');
  t.match(await guard.nextLine(), /^exited \d+$/, 'a split stop stops the server');

  guard.stdin.end();
  await guard.exited;
  t.notOk(existsSync(guard.dir), 'on EOF the guard removes its data dir');
});
