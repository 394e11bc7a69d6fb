import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { loadPlatformConfig, startRuntime, type Runtime } from '@orderflow/platform';
import { eventually, uniqueName, useTestServers } from '@orderflow/testkit';

const servers = await useTestServers(t);

function configFor(env: Record<string, string> = {}) {
  return loadPlatformConfig('processor', {
    HOST: '127.0.0.1',
    OPS_PORT: '0',
    LOG_LEVEL: 'silent',
    NATS_URL: servers.natsUrl,
    MONGO_URL: servers.mongoUrl,
    MONGO_DB: servers.dbName,
    NATS_NAMESPACE: uniqueName(servers.namespace),
    ...env,
  });
}

async function get(runtime: Runtime, path: string) {
  const response = await fetch(`http://127.0.0.1:${runtime.port}${path}`);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

interface ReadyBody {
  status: string;
  timestamp: string;
  checks: Record<string, string>;
}

const readyBody = (text: string) => JSON.parse(text) as ReadyBody;

t.test('/health answers at once and /ready waits for the service to start', async (t) => {
  const runtime = await startRuntime({ config: configFor() });
  t.teardown(() => runtime.stop());

  const health = await get(runtime, '/health');
  t.equal(health.status, 200);
  t.match(JSON.parse(health.text), { status: 'ok', service: 'processor', timestamp: String });

  const starting = await get(runtime, '/ready');
  t.equal(starting.status, 503);
  t.match(JSON.parse(starting.text), { status: 'starting' });

  runtime.markStarted();
  const ready = await get(runtime, '/ready');
  t.equal(ready.status, 200);
  t.same(readyBody(ready.text).checks, { mongo: 'up', nats: 'up' });
});

t.test('/metrics serves Prometheus text with the default process metrics', async (t) => {
  const runtime = await startRuntime({ config: configFor() });
  t.teardown(() => runtime.stop());
  const metrics = await get(runtime, '/metrics');
  t.equal(metrics.status, 200);
  t.match(metrics.headers.get('content-type'), /text\/plain/);
  t.match(metrics.text, /process_cpu_seconds_total\{service="processor"\}/);
});

t.test('stopping turns /ready to 503 while work drains, then closes everything', async (t) => {
  const runtime = await startRuntime({ config: configFor() });
  runtime.markStarted();
  let duringDrain: { status: number; text: string } | undefined;
  runtime.lifecycle.onStop('slow work', async () => {
    duringDrain = await get(runtime, '/ready');
  });

  await runtime.stop('test');

  t.equal(duringDrain?.status, 503);
  t.match(JSON.parse(duringDrain?.text ?? '{}'), { status: 'draining' });
  t.ok(runtime.lifecycle.signal.aborted, 'work in flight sees the abort signal');
  t.equal(runtime.nats?.isConnected(), false, 'NATS is drained');
  await t.rejects(get(runtime, '/health'), 'HTTP is closed');
});

t.test('stopping cuts a connection that never finishes its request, within the shutdown timeout', async (t) => {
  const runtime = await startRuntime({ config: configFor({ SHUTDOWN_TIMEOUT_MS: '2000' }) });
  runtime.markStarted();
  // A request whose body never arrives: it would hold the close open for minutes.
  const socket = connect(runtime.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  socket.write('POST /ready HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
  const closed = once(socket, 'close');
  await sleep(200);

  let stopped = false;
  const stopping = runtime.stop('test').then(() => (stopped = true));
  await eventually('the stop to finish', () => stopped, 20_000);
  await stopping;
  await closed;
  t.pass('the stalled connection was closed and the stop finished');
});

t.test('with EVENT_BUS=memory the runtime needs no NATS server', async (t) => {
  const runtime = await startRuntime({
    config: configFor({ EVENT_BUS: 'memory', NATS_URL: 'nats://127.0.0.1:1' }),
  });
  t.teardown(() => runtime.stop());
  runtime.markStarted();
  t.equal(runtime.nats, undefined);
  const ready = await get(runtime, '/ready');
  t.equal(ready.status, 200);
  t.same(readyBody(ready.text).checks, { mongo: 'up' });
  await runtime.bus.publish('order.created.high', '{}');
  t.same(await runtime.bus.backlog('processor-high'), { pending: 1, ackPending: 0 });
});

t.test('/ready turns 503 when MongoDB is unreachable, while /health stays 200', async (t) => {
  const runtime = await startRuntime({
    config: configFor({
      EVENT_BUS: 'memory',
      MONGO_URL: 'mongodb://127.0.0.1:1',
      MONGO_TIMEOUT_MS: '300',
      MIGRATE_ON_START: 'false',
    }),
  });
  t.teardown(() => runtime.stop());
  runtime.markStarted();
  const ready = await get(runtime, '/ready');
  t.equal(ready.status, 503);
  t.equal(ready.headers.get('retry-after'), '5');
  t.match(readyBody(ready.text), { status: 'not_ready', checks: { mongo: 'down' } });
  t.equal((await get(runtime, '/health')).status, 200);
});
