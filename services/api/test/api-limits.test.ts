import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { MONGO_HEARTBEAT_MS } from '@orderflow/platform';
import { startMongo, startNats, uniqueName } from '@orderflow/testkit';
import { startTestApi } from './support.js';

/** Servers of this file's own, even in a run pointed at external ones: the test stops MongoDB. */
const ownServers: NodeJS.ProcessEnv = { ...process.env };
delete ownServers.NATS_URL;
delete ownServers.MONGO_URL;
const [nats, mongo] = await Promise.all([startNats({ env: ownServers }), startMongo({ env: ownServers })]);
t.teardown(() => Promise.all([nats.stop(), mongo.stop()]));
const servers = {
  nats,
  mongo,
  natsUrl: nats.url,
  mongoUrl: mongo.url,
  namespace: uniqueName('limits'),
  dbName: uniqueName('limits'),
  stop: async () => undefined,
};

t.test('a client over RATE_LIMIT_PER_MIN gets 429 with the error shape', async (t) => {
  const api = await startTestApi(t, servers, { RATE_LIMIT_PER_MIN: '3' });
  const statuses: number[] = [];
  let last;
  for (let i = 0; i < 4; i++) {
    last = await api.request('GET', '/orders/none');
    statuses.push(last.status);
  }
  t.same(statuses, [404, 404, 404, 429]);
  t.match(last?.json, { error: 'rate_limited', message: String, request_id: String });
  t.ok(last?.headers.get('retry-after'), 'says when to retry');
  t.equal((await api.request('GET', '/health')).status, 200, 'probes are not limited');
});

t.test('with MongoDB down the api answers 503 with Retry-After instead of hanging, then recovers', async (t) => {
  const api = await startTestApi(t, servers, { MONGO_TIMEOUT_MS: '1000', RATE_LIMIT_PER_MIN: '0' });
  const body = { customer_id: 'c', items: ['a'], total: 1 };
  t.equal((await api.request('POST', '/orders', body)).status, 202);

  mongo.kill('SIGKILL');
  const startedMs = Date.now();
  const down = await api.request('POST', '/orders', body);
  t.equal(down.status, 503);
  t.match(down.json, { error: 'unavailable', request_id: String });
  t.equal(down.headers.get('retry-after'), '5');
  t.ok(Date.now() - startedMs < 5_000, `answered in ${Date.now() - startedMs} ms`);
  t.equal((await api.request('GET', '/ready')).status, 503, '/ready reports the store down');
  t.equal((await api.request('GET', '/health')).status, 200, '/health does not touch dependencies');

  await mongo.restart();
  const deadline = Date.now() + 20_000;
  let status = 0;
  while (Date.now() < deadline && status !== 202) {
    status = (await api.request('POST', '/orders', body)).status;
  }
  t.equal(status, 202, 'accepts orders again once MongoDB is back');
});

t.test('once the driver knows MongoDB is down, requests are refused at once, not after MONGO_TIMEOUT_MS', async (t) => {
  // A server selection timeout far longer than any answer below may take.
  const api = await startTestApi(t, servers, { MONGO_TIMEOUT_MS: '30000', RATE_LIMIT_PER_MIN: '0' });
  const body = { customer_id: 'c', items: ['a'], total: 1 };
  t.equal((await api.request('POST', '/orders', body)).status, 202);

  mongo.kill('SIGKILL');
  // A heartbeat (every 2 s) finds the server gone.
  await sleep(MONGO_HEARTBEAT_MS * 2);
  for (const [method, path, payload] of [
    ['POST', '/orders', body],
    ['GET', '/orders?limit=5', undefined],
    ['GET', '/orders/anything', undefined],
  ] as const) {
    const startedMs = Date.now();
    const answer = await api.request(method, path, payload);
    const tookMs = Date.now() - startedMs;
    t.equal(answer.status, 503, `${method} ${path}: 503`);
    t.equal(answer.headers.get('retry-after'), '5', 'with Retry-After');
    t.ok(tookMs < 15_000, `${method} ${path} refused without waiting out server selection (${tookMs} ms)`);
  }
  t.equal((await api.request('GET', '/health')).status, 200, '/health is not refused');

  await mongo.restart();
  // No request reaches the driver while it knows the server is down: its heartbeat alone notices the return.
  const deadline = Date.now() + 20_000;
  let status = 0;
  while (Date.now() < deadline && status !== 202) {
    await sleep(250);
    status = (await api.request('POST', '/orders', body)).status;
  }
  t.equal(status, 202, 'accepts orders again once MongoDB is back');
});
