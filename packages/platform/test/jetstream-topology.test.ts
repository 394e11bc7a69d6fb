import t from 'tap';
import { nanos } from '@nats-io/transport-node';
import { uniqueName } from '@orderflow/testkit';
import { createTopology, ensureTopology, type BusSettings } from '@orderflow/platform';
import { connectTestServers, silentLog } from './support/servers.js';

const { jsm, servers } = await connectTestServers(t);

function settings(namespace: string): BusSettings {
  return {
    kind: 'jetstream',
    namespace,
    replicas: 1,
    maxAgeMs: 7 * 24 * 3_600_000,
    duplicateWindowMs: 120_000,
    maxDeliver: 4,
    backoffMs: [1_000],
    ackWaitMs: 30_000,
  };
}

t.test('a first run creates every stream and consumer of the SPEC', async (t) => {
  const topology = createTopology(settings(uniqueName(servers.namespace)));
  await ensureTopology(jsm, topology, silentLog);

  const orders = await jsm.streams.info(topology.streamName('ORDERS'));
  t.same(orders.config.subjects, [topology.subject('order.>')]);
  t.equal(orders.config.storage, 'file');
  t.equal(orders.config.duplicate_window, nanos(120_000));
  t.equal(orders.config.max_age, nanos(7 * 24 * 3_600_000));
  for (const stream of ['PAYMENTS', 'DLQ']) {
    t.ok(await jsm.streams.info(topology.streamName(stream)), `${stream} exists`);
  }
  const high = await jsm.consumers.info(topology.streamName('ORDERS'), 'processor-high');
  t.equal(high.config.filter_subject, topology.subject('order.created.high'));
  t.equal(high.config.ack_policy, 'explicit');
  const payments = await jsm.consumers.info(topology.streamName('PAYMENTS'), 'processor-payments');
  t.equal(payments.config.filter_subject, topology.subject('payment.event.>'));
  const notifier = await jsm.consumers.info(topology.streamName('ORDERS'), 'notifier-expired');
  t.equal(notifier.config.filter_subject, topology.subject('order.expired'));
});

t.test('running it again changes nothing and does not fail', async (t) => {
  const topology = createTopology(settings(uniqueName(servers.namespace)));
  await ensureTopology(jsm, topology, silentLog);
  const before = await jsm.streams.info(topology.streamName('ORDERS'));
  await ensureTopology(jsm, topology, silentLog);
  const after = await jsm.streams.info(topology.streamName('ORDERS'));
  t.same(after.config, before.config);
});

t.test('an existing stream and consumer with other settings are updated in place', async (t) => {
  const namespace = uniqueName(servers.namespace);
  const topology = createTopology(settings(namespace));
  const ordersName = topology.streamName('ORDERS');
  await jsm.streams.add({
    name: ordersName,
    subjects: [topology.subject('order.>')],
    max_age: nanos(3_600_000),
    duplicate_window: nanos(30_000),
  });
  await jsm.consumers.add(ordersName, {
    durable_name: 'processor-high',
    filter_subject: topology.subject('order.created.high'),
    ack_policy: 'explicit',
    ack_wait: nanos(5_000),
    max_deliver: 2,
  });
  const { seq } = await jsm.jetstream().publish(topology.subject('order.created.high'), 'kept');

  await ensureTopology(jsm, topology, silentLog);

  const orders = await jsm.streams.info(ordersName);
  t.equal(orders.config.max_age, nanos(7 * 24 * 3_600_000));
  t.equal(orders.config.duplicate_window, nanos(120_000));
  t.equal(orders.state.last_seq, seq, 'the stream keeps its messages');
  const high = await jsm.consumers.info(ordersName, 'processor-high');
  t.equal(high.config.ack_wait, nanos(30_000));
  t.equal(high.num_pending, 1, 'the consumer keeps its position');
});

t.test('a consumer whose filter cannot be changed on NATS 2.9 is reported by name', async (t) => {
  const topology = createTopology(settings(uniqueName(servers.namespace)));
  const ordersName = topology.streamName('ORDERS');
  await jsm.streams.add({ name: ordersName, subjects: [topology.subject('order.>')] });
  await jsm.consumers.add(ordersName, {
    durable_name: 'processor-low',
    filter_subject: topology.subject('order.created.normal'),
    ack_policy: 'explicit',
  });
  await t.rejects(ensureTopology(jsm, topology, silentLog), /consumer processor-low .* delete it to recreate/);
});
