import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCommand, uniqueName, useTestServers } from '@orderflow/testkit';

interface SpanRecord {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, unknown>;
  readonly links: readonly { traceId: string; spanId: string }[];
}
type LogLine = Record<string, unknown>;

const SERVER = 1;
const CLIENT = 2;
const PRODUCER = 3;
const CONSUMER = 4;

const servers = await useTestServers(t);
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs test/fixtures/traced-order.mjs on the build, as production runs (a TypeScript
 * loader would stand between the instrumentation and what it hooks), and returns what it
 * recorded.
 */
async function traceOneOrder(): Promise<{ orderId: string; spans: SpanRecord[]; logs: LogLine[] }> {
  const build = await runCommand('npm', ['run', 'build', '--silent'], { cwd: root, env: process.env });
  if (build.exitCode !== 0) throw new Error(`npm run build failed:\n${build.outputTail}`);
  const dir = await mkdtemp(join(tmpdir(), 'orderflow-trace-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'trace.json');
  const child = spawn(
    process.execPath,
    ['--import', './test/fixtures/memory-telemetry.mjs', 'test/fixtures/traced-order.mjs', out],
    {
      cwd: root,
      env: {
        ...process.env,
        NATS_URL: servers.natsUrl,
        MONGO_URL: servers.mongoUrl,
        MONGO_DB: uniqueName('traced'),
        NATS_NAMESPACE: uniqueName(servers.namespace),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the traced order fixture exited ${code}:\n${output.slice(-4000)}`);
  return JSON.parse(await readFile(out, 'utf8')) as never;
}

const { orderId, spans, logs } = await traceOneOrder();
const request = spans.find((s) => s.kind === SERVER && s.name === 'POST /orders');
const traceId = request?.traceId;
const inTrace = spans.filter((s) => s.traceId === traceId);
const byId = new Map(inTrace.map((s) => [s.spanId, s]));
const named = (name: string) => inTrace.filter((s) => s.name === name);

t.test('the order trace holds the api request that created it', async (t) => {
  t.ok(request, 'a server span for POST /orders');
  t.equal(request?.attributes['http.route'], '/orders');
  t.equal(request?.attributes['http.response.status_code'], 202, 'answered 202');
});

t.test('every NATS hop is a producer span and a consumer span continuing it', async (t) => {
  for (const subject of [
    'order.created.normal',
    'order.processing',
    'payment.event.*',
    'order.payment',
    'order.completed',
  ]) {
    const producers = named(`publish ${subject}`);
    t.ok(producers.length > 0, `publish ${subject} is in the trace`);
    for (const producer of producers) {
      t.equal(producer.kind, PRODUCER, `publish ${subject} is a producer span`);
      t.equal(producer.attributes['messaging.system'], 'nats');
      t.equal(producer.attributes['messaging.destination.name'], subject);
    }
  }
  for (const [subject, consumer] of [
    ['order.created.normal', 'processor-normal'],
    ['payment.event.*', 'processor-payments'],
    ['order.completed', 'notifier-completed'],
  ] as const) {
    const consumed = named(`process ${subject}`);
    t.ok(consumed.length > 0, `process ${subject} is in the trace`);
    for (const span of consumed) {
      t.equal(span.kind, CONSUMER);
      t.equal(span.attributes['messaging.consumer.group.name'], consumer);
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      t.equal(parent?.name, `publish ${subject}`, `process ${subject} continues the context its message carried`);
    }
  }
});

t.test('the validation, the payment call and the notification are in the trace', async (t) => {
  const validation = named('validate order');
  t.equal(validation.length, 1, 'one validation');
  t.equal(byId.get(validation[0]!.parentSpanId!)?.name, 'process order.created.normal');
  const task = named('validation task');
  t.equal(task.length, 1, 'one pool task');
  t.equal(task[0]?.parentSpanId, validation[0]?.spanId, 'the pool task is a child of the validation');
  t.type(task[0]?.attributes['thread.id'], 'number', 'timed on a pool thread');

  const paymentCall = inTrace.filter(
    (s) =>
      s.kind === CLIENT &&
      s.attributes['url.full'] !== undefined &&
      new URL(s.attributes['url.full'] as string).pathname === '/payments',
  );
  t.equal(paymentCall.length, 1, 'one payment request to the provider');
  const providerSide = inTrace.filter((s) => s.kind === SERVER && s.attributes['url.path'] === '/payments');
  t.equal(providerSide[0]?.parentSpanId, paymentCall[0]?.spanId, "the provider's side continues it (traceparent)");
  t.equal(byId.get(paymentCall[0]!.parentSpanId!)?.name, 'process order.created.normal', 'made by the processor');

  const settled = named('settle order');
  t.equal(settled.length, 1, "the scheduler's settlement");
  const notify = named('notify order.completed');
  t.equal(notify.length, 1, 'one notification');
  t.equal(notify[0]?.attributes['orderflow.notification.outcome'], 'sent');
  const inserts = inTrace.filter(
    (s) => s.attributes['db.system.name'] === 'mongodb' && s.name === 'insert order_events',
  );
  t.ok(inserts.length >= 5, 'every append to order_events is a MongoDB span of the trace');
  t.notOk(
    inTrace.some((s) => ((s.attributes['db.query.text'] as string | undefined) ?? '').includes('@example.com')),
    'MongoDB spans keep the shape of a query, never its values',
  );
});

t.test('the log lines about the order carry its trace and order ids, from all four services', async (t) => {
  const about = logs.filter((line) => line['order.id'] === orderId);
  for (const line of about) {
    t.equal(line['trace.id'], traceId, `${String(line['service.name'])}: ${String(line.message)}`);
    t.type(line['span.id'], 'string');
  }
  const services = new Set(about.map((line) => line['service.name']));
  t.same([...services].sort(), ['api', 'notifier', 'processor', 'scheduler'], 'every service logged about the order');
  t.ok(
    about.every((line) => line['event.dataset'] === `orderflow.${String(line['service.name'])}`),
    'event.dataset is orderflow.<service>',
  );
  t.notOk(
    JSON.stringify(logs.filter((line) => line['log.level'] === 'info')).includes('traced@example.com'),
    'no e-mail address in clear at info level',
  );
});
