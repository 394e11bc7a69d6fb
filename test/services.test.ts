import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freePort, uniqueName, useTestServers } from '@orderflow/testkit';

const servers = await useTestServers(t);
const root = fileURLToPath(new URL('..', import.meta.url));
const SERVICES = ['api', 'processor', 'notifier', 'scheduler'] as const;

/** Runs a service's main.ts from source, as `npm start` would run its build. */
function startService(service: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--conditions=orderflow-source', '--import', 'tsx', `services/${service}/src/main.ts`],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null }));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, exited, stderr: () => stderr };
}

async function pollStatus(url: string, wanted: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | string = 'no answer';
  while (Date.now() < deadline) {
    last = await fetch(url).then(
      (r) => r.status,
      (error: Error) => error.message,
    );
    if (last === wanted) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer ${wanted} within ${timeoutMs} ms (last: ${last})`);
}

for (const service of SERVICES) {
  const portVariable = service === 'api' ? 'PORT' : 'OPS_PORT';

  t.test(`${service} refuses to start on a bad ${portVariable} and names it`, async (t) => {
    const run = startService(service, { [portVariable]: 'eighty' });
    const { code } = await run.exited;
    t.equal(code, 78, 'exits with EX_CONFIG');
    t.match(run.stderr(), `${portVariable}: expected a whole number from 0 to 65535 (got "eighty")`);
  });

  t.test(`${service} turns /ready to 503 on SIGTERM and exits 0 in time`, async (t) => {
    const port = await freePort();
    const shutdownTimeoutMs = 8_000;
    const run = startService(service, {
      HOST: '127.0.0.1',
      [portVariable]: String(port),
      NATS_URL: servers.natsUrl,
      MONGO_URL: servers.mongoUrl,
      MONGO_DB: servers.dbName,
      NATS_NAMESPACE: uniqueName(servers.namespace),
      SHUTDOWN_DELAY_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    const ready = `http://127.0.0.1:${port}/ready`;
    await pollStatus(ready, 200, 30_000);
    t.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);

    const signalledAt = Date.now();
    run.child.kill('SIGTERM');
    await pollStatus(ready, 503, 1_500);
    t.pass('/ready answers 503 while draining');
    const { code } = await run.exited;
    t.equal(code, 0, `exit code 0 (stderr: ${run.stderr().slice(0, 500)})`);
    t.ok(Date.now() - signalledAt < shutdownTimeoutMs, 'within SHUTDOWN_TIMEOUT_MS');
  });
}
