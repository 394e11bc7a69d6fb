import t from 'tap';
import { uniqueName } from '@orderflow/testkit';
import { createJetStreamBus, ensureTopology } from '@orderflow/platform';
import { contractTopology } from './support/bus-contract.js';
import { eventually } from './support/eventually.js';
import { connectTestServers, silentLog } from './support/servers.js';

const { jsm, nats, servers } = await connectTestServers(t);

t.test('a consumer deleted under a running consumption is bound again once it exists', async (t) => {
  const topology = contractTopology(uniqueName(servers.namespace));
  await ensureTopology(jsm, topology, silentLog);
  const bus = createJetStreamBus(nats.nc, topology, silentLog, () => nats.isConnected());
  t.teardown(() => bus.close());
  const seen: string[] = [];
  const consumption = bus.consume('contract-high', async (message) => void seen.push(message.text()));
  t.teardown(() => consumption.stop(0));

  await bus.publish('order.created.high', 'before');
  await eventually('the first message', () => seen.includes('before'));

  await jsm.consumers.delete(topology.streamName('ORDERS'), 'contract-high');
  await ensureTopology(jsm, topology, silentLog);
  await bus.publish('order.created.high', 'after');
  await eventually('the message after the consumer came back', () => seen.includes('after'), 20_000);
  // A recreated durable starts from the stream's beginning again (deliver all): the
  // handlers' idempotency by (order_id, seq) absorbs the repeat.
  t.equal(seen.at(-1), 'after');
});

t.test('a publish while NATS is unreachable fails at once instead of waiting out its timeout', async (t) => {
  const topology = contractTopology(uniqueName(servers.namespace));
  await ensureTopology(jsm, topology, silentLog);
  const bus = createJetStreamBus(nats.nc, topology, silentLog, () => false);
  const startedMs = Date.now();
  await t.rejects(bus.publish('order.created.high', 'x'), { code: 'ERR_UNAVAILABLE' });
  t.ok(Date.now() - startedMs < 500);
});

t.test('a watch whose stream is re-created starts again, says so, and sees what follows', async (t) => {
  const topology = contractTopology(uniqueName(servers.namespace));
  await ensureTopology(jsm, topology, silentLog);
  const bus = createJetStreamBus(nats.nc, topology, silentLog, () => nats.isConnected());
  t.teardown(() => bus.close());
  const seen: string[] = [];
  let resets = 0;
  const watch = bus.watch('order.>', { message: (m) => void seen.push(m.text()), reset: () => void resets++ });
  t.teardown(() => watch.close());
  await eventually('the watch to start', () => resets === 1);
  await bus.publish('order.completed', 'before');
  await eventually('the first message', () => seen.includes('before'));

  await jsm.streams.delete(topology.streamName('ORDERS'));
  await ensureTopology(jsm, topology, silentLog);
  await eventually(
    'a message after the stream came back',
    async () => {
      await bus.publish('order.completed', 'after');
      return seen.includes('after');
    },
    30_000,
    500,
  );
  t.ok(resets >= 2, `the listener was told to read again (${resets} resets)`);
});
