import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { eventually, startMongo, useTestServers } from '@orderflow/testkit';
import { startTestApi } from './support.js';

const servers = await useTestServers(t);

t.test(
  'with the processor behind, creation answers 429 with Retry-After, stores nothing, and recovers as it drains',
  async (t) => {
    const api = await startTestApi(t, servers, { INTAKE_MAX_BACKLOG: '5', RATE_LIMIT_PER_MIN: '0' });
    await api.runtime.busReady;
    const order = (i: number | string) => ({ id: `bp-${i}`, customer_id: 'c-1', items: ['sku-1'], total: 10 });
    for (let i = 0; i < 10; i++) t.equal((await api.request('POST', '/orders', order(i))).status, 202);

    // Nobody takes the normal lane: once the backlog is read, intake closes.
    let attempt = 0;
    const refused = await eventually('a 429', async () => {
      const id = `probe-${++attempt}`;
      const response = await api.request('POST', '/orders', order(id));
      return response.status === 429 ? { ...response, id } : undefined;
    });
    t.match(refused.json, { error: 'overloaded', message: /retry after \d+ s/, request_id: String });
    t.match(refused.headers.get('retry-after'), /^\d+$/);
    t.equal((await api.request('GET', `/orders/bp-${refused.id}`)).status, 404, 'the refused order was not stored');
    t.equal((await api.request('GET', '/orders/bp-3')).status, 200, 'reads are not refused');

    const metrics = await api.request('GET', '/metrics');
    t.match(metrics.text, /orderflow_intake_shed_total\{reason="backlog"[^}]*\} [1-9]/);

    // A processor arrives and works the backlog off: intake opens again by itself.
    const consumption = api.runtime.bus.consume('processor-normal', async () => undefined, { concurrency: 8 });
    t.teardown(() => consumption.stop(0));
    const accepted = await eventually(
      'a 202 again',
      async () => (await api.request('POST', '/orders', order('after'))).status === 202,
      20_000,
      200,
    );
    t.ok(accepted);
  },
);

t.test(
  'with the store not answering, creation answers 429 once the oldest has waited INTAKE_MAX_WAIT_MS, and recovers',
  // An external server (MONGO_URL) cannot be frozen from here.
  { skip: process.env.MONGO_URL?.trim() ? 'MONGO_URL is set: no store process of our own to freeze' : false },
  async (t) => {
    // A store of its own, frozen with SIGSTOP: the other tests' store keeps answering.
    const mongo = await startMongo();
    t.teardown(() => mongo.stop());
    const pid = mongo.pid;
    if (pid === undefined) throw new Error('the store started for this test has no pid');
    const api = await startTestApi(t, servers, {
      MONGO_URL: mongo.url,
      INTAKE_MAX_WAIT_MS: '300',
      // Long enough that the driver does not give the store up while it is frozen.
      MONGO_TIMEOUT_MS: '30000',
      RATE_LIMIT_PER_MIN: '0',
    });
    const order = (id: string) => ({ id, customer_id: 'c-1', items: ['sku-1'], total: 10 });
    t.equal((await api.request('POST', '/orders', order('sw-before'))).status, 202);

    process.kill(pid, 'SIGSTOP');
    let frozen = true;
    t.teardown(() => {
      if (frozen) process.kill(pid, 'SIGCONT');
    });
    const waiting = api.request('POST', '/orders', order('sw-waiting'));
    await sleep(600);
    const refused = await api.request('POST', '/orders', order('sw-refused'));
    t.equal(refused.status, 429, 'refused at once instead of queueing behind the frozen store');
    t.equal(refused.headers.get('retry-after'), '1');
    t.match(refused.json, { error: 'overloaded' });
    t.match(
      (await api.request('GET', '/metrics')).text,
      /orderflow_intake_shed_total\{reason="store_wait"[^}]*\} [1-9]/,
    );

    process.kill(pid, 'SIGCONT');
    frozen = false;
    t.equal((await waiting).status, 202, 'the creation already taken is answered once the store is back');
    t.equal((await api.request('POST', '/orders', order('sw-after'))).status, 202, 'and intake is open again');
    t.equal((await api.request('GET', '/orders/sw-refused')).status, 404, 'the refused order was not stored');
  },
);
