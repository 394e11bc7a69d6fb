import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import t from 'tap';
import {
  createMemoryBus,
  createTopology,
  currentTraceparent,
  inOrderTrace,
  inSpan,
  startTelemetry,
  type BusMessage,
} from '@orderflow/platform';
import { CONTRACT_SETTINGS } from './support/bus-contract.js';

const spans = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter: spans });
startTelemetry({ serviceName: 'tracing-test', serviceVersion: '0', spanProcessors: [processor] }, {});
t.beforeEach(() => spans.reset());
/** Spans ended so far (a simple processor exports each one a few microtasks after it ends). */
async function finished() {
  await processor.forceFlush();
  return spans.getFinishedSpans();
}

t.test('a message carries its trace: producer span, traceparent header, consumer span under it', async (t) => {
  const bus = createMemoryBus(createTopology(CONTRACT_SETTINGS));
  t.teardown(() => bus.close());
  const received = new Promise<BusMessage>((resolve) => {
    bus.consume('processor-high', async (message) => resolve(message));
  });
  let traceId = '';
  await inSpan('request', {}, async (span) => {
    traceId = span.spanContext().traceId;
    await bus.publish('order.created.high', '{}', { msgId: 'o-1:1' });
  });
  const message = await received;
  t.match(message.headers.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), 'traceparent header');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const ended = await finished();
  const producer = ended.find((s) => s.name === 'publish order.created.high');
  const consumer = ended.find((s) => s.name === 'process order.created.high');
  t.equal(producer?.spanContext().traceId, traceId);
  t.equal(producer?.attributes['messaging.message.id'], 'o-1:1');
  t.equal(consumer?.parentSpanContext?.spanId, producer?.spanContext().spanId, 'consumer continues the producer');
  t.equal(consumer?.attributes['messaging.consumer.group.name'], 'processor-high');
});

t.test('per-order subjects are named by their family', async (t) => {
  const bus = createMemoryBus(createTopology(CONTRACT_SETTINGS));
  t.teardown(() => bus.close());
  await bus.publish('payment.event.o-42', '{}');
  const ended = await finished();
  t.ok(ended.some((s) => s.name === 'publish payment.event.*'));
  t.notOk(
    ended.some((s) => s.name.includes('o-42')),
    'no order id in span names',
  );
});

t.test("work outside an order's trace joins it, linked to where it came from", async (t) => {
  let orderTrace: string | undefined;
  await inSpan('create', {}, async () => {
    orderTrace = currentTraceparent();
  });
  const created = (await finished())[0]!;
  let other = '';
  await inSpan('webhook', {}, async (span) => {
    other = span.spanContext().traceId;
    await inOrderTrace(orderTrace, 'payment event', { 'order.id': 'o-1' }, async () => {
      t.equal(trace.getActiveSpan()?.spanContext().traceId, created.spanContext().traceId, 'runs in the order trace');
    });
  });
  const joined = (await finished()).find((s) => s.name === 'payment event');
  t.equal(joined?.parentSpanContext?.spanId, created.spanContext().spanId, 'a child of the creating span');
  t.same(
    joined?.links.map((link) => link.context.traceId),
    [other],
    'linked to the webhook span',
  );
});

t.test('work already in the order trace runs as it is', async (t) => {
  await inSpan('create', {}, async () => {
    const orderTrace = currentTraceparent();
    await inOrderTrace(orderTrace, 'same trace', {}, async () => undefined);
  });
  t.same(
    (await finished()).map((s) => s.name),
    ['create'],
    'no extra span',
  );
});
