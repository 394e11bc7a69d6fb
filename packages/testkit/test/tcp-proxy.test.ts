import { once } from 'node:events';
import { createServer } from 'node:http';
import t from 'tap';
import { startTcpProxy } from '../src/index.js';

const target = createServer((_request, response) => response.end('hello'));
target.listen(0, '127.0.0.1');
await once(target, 'listening');
const { port } = target.address() as { port: number };
t.teardown(() => new Promise<void>((resolve) => target.close(() => resolve())));

const proxy = await startTcpProxy({ host: '127.0.0.1', port });
t.teardown(() => proxy.close());
const url = `http://${proxy.host}:${proxy.port}/`;
/** A fresh connection per request, so each sees the proxy's current behaviour. */
const get = (timeoutMs = 5_000) =>
  fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(timeoutMs) });

t.test('pass forwards both ways', async (t) => {
  const response = await get();
  t.equal(await response.text(), 'hello');
  t.ok(proxy.stats.chunksUp > 0 && proxy.stats.chunksDown > 0, 'counted chunks each way');
});

t.test('latency delays the answer by at least the latency each way', async (t) => {
  proxy.set({ latencyMs: 200 });
  t.teardown(() => proxy.set({ latencyMs: 0 }));
  const startedMs = Date.now();
  t.equal(await (await get()).text(), 'hello');
  t.ok(Date.now() - startedMs >= 400, `took ${Date.now() - startedMs} ms`);
});

t.test('blackhole swallows the request: no answer', async (t) => {
  proxy.set({ mode: 'blackhole' });
  t.teardown(() => proxy.set({ mode: 'pass' }));
  await t.rejects(get(500), { name: 'TimeoutError' });
});

t.test('reset ends the connection with an error', async (t) => {
  proxy.set({ mode: 'reset' });
  t.teardown(() => proxy.set({ mode: 'pass' }));
  await t.rejects(get(), TypeError);
});

t.test('stallAfter withholds the answers on a connection that sent the marker, and only there', async (t) => {
  proxy.set({ stallAfter: 'x-stall-me' });
  t.teardown(() => proxy.set({ stallAfter: undefined }));
  // Kept alive: withheld answers, not a closed connection, are what this shows.
  const stalled = fetch(url, { headers: { 'x-stall-me': '1' }, signal: AbortSignal.timeout(500) });
  t.equal(await (await get()).text(), 'hello', 'another connection passes');
  await t.rejects(stalled, { name: 'TimeoutError' });
});

t.test('back to pass, it works again', async (t) => {
  t.equal(await (await get()).text(), 'hello');
});
