import t from 'tap';
import { EVENTS, ORDERS } from '@orderflow/event-store';
import { createMongo } from '@orderflow/platform';
import { freePort, useTestServers } from '@orderflow/testkit';
import {
  collect,
  eventually,
  newSystem,
  startServiceProcess,
  startTestScheduler,
  storeOf,
  systemEnv,
} from './support.js';

const servers = await useTestServers(t);

t.test('an api killed after appending an order, before publishing it: the sweep publishes it', async (t) => {
  const system = newSystem(servers);
  const port = await freePort();
  const api = startServiceProcess(
    t,
    'api',
    // One process, not a cluster: its primary would replace the worker that crashes.
    systemEnv(system, {
      PORT: String(port),
      LOG_LEVEL: 'warn',
      API_WORKERS: '1',
      ORDERFLOW_FAULT_POINT: 'after-append',
    }),
  );
  await eventually(
    'the api to be ready',
    async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200,
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; its stderr: ${api.stderr().slice(0, 2_000)}`);
  });

  const answer = await fetch(`http://127.0.0.1:${port}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer_id: 'c1', items: ['item1'], total: 10 }),
  }).then(
    (response) => `status ${response.status}`,
    (error: Error) => `failed: ${error.message}`,
  );
  t.match(answer, /^failed/, 'the request dies with the process');
  t.equal((await api.exited).signal, 'SIGKILL');

  const mongo = createMongo({ url: servers.mongoUrl, db: system.dbName, maxPoolSize: 2, timeoutMs: 5_000 }, 'test');
  t.teardown(() => mongo.close());
  const events = mongo.db.collection<{ _id: string; order_id: string; published_at: Date | null }>(EVENTS);
  const appended = await events.find({}).toArray();
  t.equal(appended.length, 1, 'the append was durable');
  const orderId = appended[0]!.order_id;
  t.equal(appended[0]!.published_at, null, 'but never published');
  t.equal(await mongo.db.collection(ORDERS).countDocuments({}), 0, 'nor is there a snapshot');

  const scheduler = await startTestScheduler(t, system, { OUTBOX_SWEEP_MS: '200', SWEEP_INTERVAL_MS: '100' });
  const newOrders = collect(t, scheduler, 'processor-normal');

  const message = await eventually('order.created on the bus', () => newOrders.find((m) => m.msgId === `${orderId}:1`));
  t.match(message.json(), { type: 'order.created', order_id: orderId, source: 'scheduler' });
  await eventually('published_at to be set', async () => (await events.findOne({}))?.published_at instanceof Date);
  const snapshot = await storeOf(scheduler).snapshot(orderId);
  t.match(snapshot, { id: orderId, status: 'pending', version: 1 }, 'the snapshot is repaired');
});
