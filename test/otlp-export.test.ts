import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { eventually, freePort, runCommand, uniqueName, useTestServers } from '@orderflow/testkit';

const servers = await useTestServers(t);
const root = fileURLToPath(new URL('..', import.meta.url));

/** An OTLP/HTTP receiver that keeps what it is sent. */
async function startReceiver(t: Test, port = 0) {
  const received: { path: string; contentType: string | undefined; bytes: number }[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      received.push({ path: request.url ?? '', contentType: request.headers['content-type'], bytes });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** The built api as it is deployed: telemetry through --import, one process. */
async function runApi(t: Test, env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', '@orderflow/platform/register', 'services/api/dist/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      API_WORKERS: '1',
      LOG_LEVEL: 'warn',
      NATS_URL: servers.natsUrl,
      MONGO_URL: servers.mongoUrl,
      MONGO_DB: uniqueName('otlp'),
      NATS_NAMESPACE: uniqueName(servers.namespace),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const base = `http://127.0.0.1:${port}`;
  await eventually(
    'the api to be ready',
    async () => (await fetch(`${base}/ready`).catch(() => undefined))?.status === 200,
    60_000,
    100,
  );
  return { base, child, exited, stdout: () => stdout, stderr: () => stderr };
}

const build = await runCommand('npm', ['run', 'build', '--silent'], { cwd: root, env: process.env });
if (build.exitCode !== 0) throw new Error(`npm run build failed:\n${build.outputTail}`);

t.test('with OTEL_EXPORTER_OTLP_ENDPOINT set, spans are exported over OTLP and flushed on shutdown', async (t) => {
  const receiver = await startReceiver(t);
  // A long batch delay: what arrives, arrives because the shutdown flushed it.
  const api = await runApi(t, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '600000' });
  t.equal((await fetch(`${api.base}/orders/missing-order`)).status, 404);
  t.same(receiver.received, [], 'nothing sent before the batch is due');
  api.child.kill('SIGTERM');
  t.equal(await api.exited, 0, `exits 0 (${api.stderr().slice(0, 300)})`);
  const traces = receiver.received.filter((r) => r.path === '/v1/traces');
  t.ok(traces.length >= 1, 'the spans reached /v1/traces');
  t.equal(traces[0]?.contentType, 'application/x-protobuf', 'as OTLP/HTTP protobuf');
  t.ok((traces[0]?.bytes ?? 0) > 0, 'with a body');
});

t.test('without an endpoint nothing is exported, and log lines still carry trace ids', async (t) => {
  // Where an OTLP exporter sends when no endpoint is configured.
  const receiver = await startReceiver(t, 4318).catch(() => undefined);
  if (!receiver) {
    t.fail('port 4318 (the OTLP default) is taken, so this check cannot listen there');
    return;
  }
  const api = await runApi(t, { LOG_LEVEL: 'info' });
  t.equal((await fetch(`${api.base}/orders/missing-order`)).status, 404);
  api.child.kill('SIGTERM');
  t.equal(await api.exited, 0);
  t.same(receiver.received, [], 'no request to the default OTLP endpoint');
  const request = api
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.message === 'incoming request');
  t.match(request?.['trace.id'], /^[0-9a-f]{32}$/, 'the request line has a trace id');
});
