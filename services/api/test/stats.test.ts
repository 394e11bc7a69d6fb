import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import t from 'tap';
import { connectNats, createJetStreamPresence, createLogger, createMongo } from '@orderflow/platform';
import { eventually, uniqueName, useTestServers } from '@orderflow/testkit';
import { seedingStore, seedOrder, type Clock } from '../../../packages/event-store/test/support/seed-orders.js';
import { startTestApi } from './support.js';

const servers = await useTestServers(t);
// Two api processes of one deployment: one namespace, one database.
const deployment = { NATS_NAMESPACE: uniqueName(servers.namespace), RATE_LIMIT_PER_MIN: '0' };
const first = await startTestApi(t, servers, deployment);
const second = await startTestApi(t, servers, deployment);
const mongo = createMongo({ url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 4, timeoutMs: 5_000 }, 'test');
t.teardown(() => mongo.close());

const log = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });
/** Processes of the deployment that are not under test: they only announce themselves. */
const others = await connectNats(
  { url: servers.natsUrl, user: undefined, password: undefined, token: undefined },
  { name: 'stats-test', log, onFatal: () => undefined },
);
t.teardown(() => others.drain());
const presence = createJetStreamPresence(others.nc, first.runtime.topology, { log });
t.teardown(() => presence.close());

async function stats(api = first): Promise<Record<string, any>> {
  const response = await api.request('GET', '/stats');
  if (response.status !== 200) throw new Error(`/stats answered ${response.status}: ${response.text}`);
  return response.json;
}

/** Polls both api processes until each answers what `expected` says. */
async function bothAnswer(what: string, expected: (answer: Record<string, any>) => boolean) {
  return eventually(what, async () => {
    const answers = await Promise.all([stats(first), stats(second)]);
    return answers.every(expected) && answers;
  });
}

t.test('before anything happened /stats says zero everywhere, and its answer is the documented shape', async (t) => {
  const [answer] = await bothAnswer('NATS connected for both', (a) => a.queue_length.total === 0);
  t.same(
    { ...answer, uptime_seconds: 0 },
    {
      total_processed: 0,
      success_count: 0,
      error_count: 0,
      average_process_time_ms: null,
      active_workers: 0,
      queue_length: { high: 0, normal: 0, low: 0, total: 0 },
      uptime_seconds: 0,
    },
  );
  const document = (await first.request('GET', '/openapi.json')).json;
  const schema = document.paths['/stats'].get.responses['200'].content['application/json'].schema;
  const ajv = new Ajv({ strict: false });
  addFormats.default(ajv);
  t.ok(ajv.validate(schema, answer), JSON.stringify(ajv.errors));
});

t.test('counts and the average process time come from the orders stored in MongoDB', async (t) => {
  const clock: Clock = { nowMs: Date.parse('2026-06-01T09:00:00.000Z') };
  const store = seedingStore(mongo.db, clock);
  const seeds = [
    ['s-ok-1', 'completed', 1_200],
    ['s-ok-2', 'completed', 2_800],
    ['s-declined', 'failed', 4_000],
    ['s-rule', 'rejected', 300],
    ['s-stuck', 'expired', 600_000],
    ['s-cancel', 'cancelled', 700],
    ['s-open', 'processing', 0],
  ] as const;
  for (const [id, status, afterMs] of seeds) await seedOrder(store, clock, id, status, afterMs);

  const [answer] = await bothAnswer('the seeded orders counted', (a) => a.total_processed === 6);
  t.match(answer, {
    total_processed: 6,
    success_count: 2,
    error_count: 3,
    average_process_time_ms: Math.round((1_200 + 2_800 + 4_000 + 300 + 600_000 + 700) / 6),
  });
});

t.test("queue_length counts each lane's new orders that no processor has acknowledged", async (t) => {
  const lanes = { 1: 3, 2: 2, 3: 1 } as const;
  for (const [priority, count] of Object.entries(lanes)) {
    for (let i = 0; i < count; i++) {
      const created = await first.request('POST', '/orders', {
        customer_id: 'q',
        items: ['a'],
        total: 5,
        priority: Number(priority),
      });
      t.equal(created.status, 202);
    }
  }
  const [answer] = await bothAnswer('the backlog seen', (a) => a.queue_length.total === 6);
  t.same(answer.queue_length, { high: 3, normal: 2, low: 1, total: 6 });
  t.equal(answer.total_processed, 6, 'orders waiting are not processed ones');
});

t.test('active_workers adds up the threads of the live processors and drops one that withdraws', async (t) => {
  const small = presence.announce({ kind: 'processor', threads: 2, startedAt: new Date() });
  const large = presence.announce({ kind: 'processor', threads: 3, startedAt: new Date() });
  await bothAnswer('two processors seen', (a) => a.active_workers === 5);
  await small.withdraw();
  await bothAnswer('the withdrawn one gone', (a) => a.active_workers === 3);
  await large.withdraw();
  await bothAnswer('no processor left', (a) => a.active_workers === 0);
  t.pass('5, then 3, then 0 on both api processes');
});

t.test('uptime_seconds runs from the start of the oldest api process still alive', async (t) => {
  const hourMs = 3_600_000;
  const askedMs = Date.now();
  const veteran = presence.announce({ kind: 'api', threads: 1, startedAt: new Date(askedMs - hourMs) });
  const answers = await bothAnswer('the old api process seen', (a) => a.uptime_seconds >= 3_600);
  const boundS = Math.ceil((Date.now() - askedMs + hourMs) / 1_000);
  for (const answer of answers) t.ok(answer.uptime_seconds <= boundS, `${answer.uptime_seconds} s ≤ ${boundS} s`);

  await veteran.withdraw();
  await bothAnswer('uptime back to the test apis', (a) => a.uptime_seconds < 3_600);
});

t.test('two api processes give the same answer', async (t) => {
  const worker = presence.announce({ kind: 'processor', threads: 4, startedAt: new Date() });
  t.teardown(() => worker.withdraw());
  await bothAnswer('the processor seen', (a) => a.active_workers === 4);
  // Seconds tick between two requests now and then: ask again until both fall in one.
  const [a, b] = await eventually('one answer from both', async () => {
    const answers = await Promise.all([stats(first), stats(second)]);
    return JSON.stringify(answers[0]) === JSON.stringify(answers[1]) && answers;
  });
  t.same(a, b);
  t.match(a, { total_processed: 6, active_workers: 4, queue_length: { total: 6 } });
});
