import t, { type Test } from 'tap';
import { eventually, startTcpProxy, useTestServers, type TestServers } from '@orderflow/testkit';
import { startTestApi } from './support.js';

const servers = await useTestServers(t);

/** The servers behind proxies of this test's own, so an outage hits this api alone. */
async function behindProxies(t: Test) {
  const proxy = async (url: string) => {
    const { hostname, port } = new URL(url);
    const started = await startTcpProxy({ host: hostname, port: Number(port) });
    t.teardown(() => started.close());
    return started;
  };
  const [nats, mongo] = await Promise.all([proxy(servers.natsUrl), proxy(servers.mongoUrl)]);
  const proxied: TestServers = {
    ...servers,
    natsUrl: `nats://${nats.host}:${nats.port}`,
    mongoUrl: `mongodb://${mongo.host}:${mongo.port}/`,
  };
  return { nats, mongo, proxied };
}

t.test('while NATS is down /stats answers what MongoDB knows, with null where NATS would tell', async (t) => {
  const { nats, proxied } = await behindProxies(t);
  const api = await startTestApi(t, proxied, { RATE_LIMIT_PER_MIN: '0' });
  const stats = () => api.request('GET', '/stats');
  await eventually('NATS answering', async () => (await stats()).json?.queue_length?.total === 0);

  nats.set({ mode: 'reset' });
  const down = await eventually('the outage noticed', async () => {
    const answer = await stats();
    return answer.json?.queue_length?.total === null && answer;
  });
  t.equal(down.status, 200);
  t.match(down.json, {
    total_processed: 0,
    success_count: 0,
    error_count: 0,
    average_process_time_ms: null,
    active_workers: null,
    queue_length: { high: null, normal: null, low: null, total: null },
    uptime_seconds: Number,
  });

  nats.set({ mode: 'pass' });
  const back = await eventually(
    'NATS back in the answer',
    async () => {
      const answer = (await stats()).json;
      return answer?.queue_length?.total === 0 && answer.active_workers === 0 && answer;
    },
    30_000,
  );
  t.match(back, { queue_length: { high: 0, normal: 0, low: 0, total: 0 } });
});

t.test('while MongoDB is down /stats answers 503 with Retry-After, like every route that needs it', async (t) => {
  const { mongo, proxied } = await behindProxies(t);
  const api = await startTestApi(t, proxied, { RATE_LIMIT_PER_MIN: '0', MONGO_TIMEOUT_MS: '1000' });
  t.equal((await api.request('GET', '/stats')).status, 200);

  mongo.set({ mode: 'reset' });
  const down = await eventually('the outage noticed', async () => {
    const answer = await api.request('GET', '/stats');
    return answer.status !== 200 && answer;
  });
  t.equal(down.status, 503);
  t.match(down.json, { error: 'unavailable', message: String, request_id: String });
  t.equal(down.headers.get('retry-after'), '5');

  mongo.set({ mode: 'pass' });
  await eventually('MongoDB back', async () => (await api.request('GET', '/stats')).status === 200, 30_000, 250);
  t.pass('answers again once MongoDB is back');
});
