import t from 'tap';
import { CONSUMERS, createTopology, subjectMatches, type BusSettings } from '@orderflow/platform';

const settings: BusSettings = {
  kind: 'jetstream',
  namespace: undefined,
  replicas: 1,
  maxAgeMs: 1,
  duplicateWindowMs: 1,
  maxDeliver: 4,
  backoffMs: [1],
  ackWaitMs: 1,
};

t.test('subjects match NATS wildcards', async (t) => {
  t.ok(subjectMatches('order.>', 'order.created.high'));
  t.ok(subjectMatches('order.*', 'order.completed'));
  t.notOk(subjectMatches('order.*', 'order.created.high'));
  t.notOk(subjectMatches('order.>', 'order'));
  t.notOk(subjectMatches('order.completed', 'order.completed.x'));
  t.ok(subjectMatches('payment.event.>', 'payment.event.o-1'));
});

t.test('the SPEC consumers each have one filter subject on their stream', async (t) => {
  t.same(CONSUMERS.map((c) => c.durable).sort(), [
    'notifier-cancelled',
    'notifier-completed',
    'notifier-expired',
    'notifier-failed',
    'notifier-rejected',
    'processor-high',
    'processor-low',
    'processor-normal',
    'processor-payments',
  ]);
  const topology = createTopology(settings);
  for (const consumer of CONSUMERS) {
    t.equal(topology.streamFor(consumer.filterSubject.replace('>', 'x')).name, consumer.stream, consumer.durable);
  }
});

t.test('without a namespace names and subjects are as in the SPEC', async (t) => {
  const topology = createTopology(settings);
  t.equal(topology.streamName('ORDERS'), 'ORDERS');
  t.equal(topology.subject('order.created.high'), 'order.created.high');
});

t.test('a namespace prefixes stream names and subjects, and is stripped on the way back', async (t) => {
  const topology = createTopology({ ...settings, namespace: 'ci1' });
  t.equal(topology.streamName('ORDERS'), 'ci1_ORDERS');
  t.equal(topology.subject('order.completed'), 'ci1.order.completed');
  t.equal(topology.logicalSubject('ci1.order.completed'), 'order.completed');
  t.equal(topology.streamFor('dlq.order.created.high').name, 'DLQ');
});

t.test('an unknown subject or consumer is an error', async (t) => {
  const topology = createTopology(settings);
  t.throws(() => topology.streamFor('invoice.created'), /no stream captures/);
  t.throws(() => topology.consumer('nobody'), /unknown consumer/);
});
