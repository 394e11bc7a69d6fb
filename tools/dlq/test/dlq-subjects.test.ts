import t from 'tap';
import { createTopology, type BusSettings } from '@orderflow/platform';
import { dlqStreamName, dlqSubjectFilter, originalSubjectOf } from '../src/dlq-subjects.js';
import { UsageError } from '../src/errors.js';

const settings: BusSettings = {
  kind: 'jetstream',
  namespace: undefined,
  replicas: 1,
  maxAgeMs: 60_000,
  duplicateWindowMs: 120_000,
  maxDeliver: 4,
  backoffMs: [1_000],
  ackWaitMs: 30_000,
};
const plain = createTopology(settings);
const namespaced = createTopology({ ...settings, namespace: 'blue' });

t.test('the DLQ stream and subject filters follow the namespace', async (t) => {
  t.equal(dlqStreamName(plain), 'DLQ');
  t.equal(dlqStreamName(namespaced), 'blue_DLQ');
  t.equal(dlqSubjectFilter(plain), 'dlq.>');
  t.equal(dlqSubjectFilter(namespaced), 'blue.dlq.>');
  t.equal(dlqSubjectFilter(namespaced, 'order.created.*'), 'blue.dlq.order.created.*');
});

t.test('the original subject is read back from the physical DLQ subject', async (t) => {
  t.equal(originalSubjectOf(plain, 'dlq.payment.event.o-1'), 'payment.event.o-1');
  t.equal(originalSubjectOf(namespaced, 'blue.dlq.order.created.high'), 'order.created.high');
});

t.test('a malformed subject pattern is a usage error rather than a filter that matches nothing', async (t) => {
  for (const pattern of ['', 'order..created', 'order.>.high', 'order created', '.order']) {
    t.throws(() => dlqSubjectFilter(plain, pattern), UsageError, JSON.stringify(pattern));
  }
});
