import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freePort, startMongo, startNats, uniqueName, useTestServers } from '@orderflow/testkit';
import { eventually } from '../packages/platform/test/support/eventually.js';
import { loadSchedulerConfig } from '../services/scheduler/src/config.js';
import { startScheduler } from '../services/scheduler/src/scheduler.js';
import { startStack } from './support/stack.js';

const servers = await useTestServers(t);
const root = fileURLToPath(new URL('..', import.meta.url));

t.test(
  'an api killed right after the append, before the publish: the sweep publishes and the order completes',
  async (t) => {
    const names = { MONGO_DB: uniqueName('crash'), NATS_NAMESPACE: uniqueName(servers.namespace) };
    const stack = await startStack(t, servers, { env: { ...names, PAYMENT_SUCCESS_RATE: '1' } });

    // A second api process that dies (SIGKILL) right after it stores an order's first event.
    const port = await freePort();
    const crashing = spawn(
      process.execPath,
      ['--conditions=orderflow-source', '--import', 'tsx', 'services/api/src/main.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          ...names,
          HOST: '127.0.0.1',
          PORT: String(port),
          LOG_LEVEL: 'warn',
          NATS_URL: servers.natsUrl,
          MONGO_URL: servers.mongoUrl,
          ORDERFLOW_FAULT_POINT: 'after-append',
          // One process: in a cluster the primary would replace the crashed worker.
          API_WORKERS: '1',
        },
        stdio: 'ignore',
      },
    );
    const exited = once(crashing, 'exit');
    t.teardown(() => void crashing.kill('SIGKILL'));
    await eventually('the crashing api to listen', () =>
      fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    const id = uniqueName('crash');
    const answer = await fetch(`http://127.0.0.1:${port}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, customer_id: 'c-crash', items: ['a'], total: 5 }),
    }).then(
      (r) => r.status,
      () => 'no answer',
    );
    const [, signal] = await exited;
    t.equal(signal, 'SIGKILL', 'the api died at the fault point');
    t.equal(answer, 'no answer', 'the client got no 202');
    const stored = await stack.db.collection('order_events').findOne({ _id: `${id}:1` as never });
    t.equal(stored?.published_at, null, 'the event is stored, not published');

    const scheduler = await startScheduler(
      loadSchedulerConfig({
        ...names,
        HOST: '127.0.0.1',
        OPS_PORT: '0',
        LOG_LEVEL: 'warn',
        NATS_URL: servers.natsUrl,
        MONGO_URL: servers.mongoUrl,
        OUTBOX_SWEEP_MS: '300',
        SWEEP_INTERVAL_MS: '200',
      }),
    );
    t.teardown(() => scheduler.stop());
    await eventually(
      'the order to complete',
      async () => (await stack.get(`/orders/${id}`)).json.status === 'completed',
      60_000,
    );
    const order = (await stack.get(`/orders/${id}`)).json;
    t.same(
      order.history.map((h: { type: string }) => h.type),
      ['order.created', 'order.processing', 'order.payment', 'order.payment', 'order.payment', 'order.completed'],
    );
  },
);

t.test(
  'while NATS is down the api keeps accepting orders; they are published and finish when it returns',
  async (t) => {
    // Servers of this test's own: it kills NATS.
    const own: NodeJS.ProcessEnv = { ...process.env };
    delete own.NATS_URL;
    delete own.MONGO_URL;
    const [nats, mongo] = await Promise.all([startNats({ env: own }), startMongo({ env: own })]);
    t.teardown(() => Promise.all([nats.stop(), mongo.stop()]));
    const names = { MONGO_DB: uniqueName('natsdown'), NATS_NAMESPACE: uniqueName('natsdown') };
    const servers = {
      nats,
      mongo,
      natsUrl: nats.url,
      mongoUrl: mongo.url,
      namespace: names.NATS_NAMESPACE,
      dbName: names.MONGO_DB,
      stop: async () => undefined,
    };
    const stack = await startStack(t, servers, { env: { ...names, PAYMENT_SUCCESS_RATE: '1' } });
    const scheduler = await startScheduler(
      loadSchedulerConfig({
        ...names,
        HOST: '127.0.0.1',
        OPS_PORT: '0',
        LOG_LEVEL: 'error',
        NATS_URL: nats.url,
        MONGO_URL: mongo.url,
        OUTBOX_SWEEP_MS: '300',
        SWEEP_INTERVAL_MS: '200',
      }),
    );
    t.teardown(() => scheduler.stop());

    nats.kill('SIGKILL');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const startedMs = Date.now();
      const response = await stack.post('/orders', { customer_id: `nd-${i}`, items: ['a'], total: 5 });
      t.equal(response.status, 202, 'accepted while NATS is down');
      t.ok(Date.now() - startedMs < 2_000, `answered in ${Date.now() - startedMs} ms`);
      ids.push(String(response.json.id));
    }
    await nats.restart();
    await eventually(
      'every order to complete',
      async () => (await stack.statusCounts(ids)).completed === ids.length,
      90_000,
      250,
    );
    t.pass('published when NATS returned, and processed');
  },
);
