import { availableParallelism } from 'node:os';
import t, { type Test } from 'tap';
import { createMongo, MIGRATIONS, MIGRATIONS_COLLECTION } from '@orderflow/platform';
import {
  eventually,
  freePort,
  getFresh,
  isProcessAlive,
  metricSample,
  uniqueName,
  useTestServers,
} from '@orderflow/testkit';
import { loadApiConfig } from '../src/config.js';
import { startApiProcess } from './support/api-process.js';

const servers = await useTestServers(t);

/** The api's main.ts from source on a free port, in a database and namespace of its own. */
async function startApi(t: Test, env: Record<string, string>, options: { processGroup?: boolean } = {}) {
  const port = await freePort();
  const dbName = uniqueName('cluster');
  const run = startApiProcess(
    t,
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      NATS_URL: servers.natsUrl,
      MONGO_URL: servers.mongoUrl,
      MONGO_DB: dbName,
      NATS_NAMESPACE: uniqueName(servers.namespace),
      RATE_LIMIT_PER_MIN: '0',
      ...env,
    },
    options,
  );
  const base = `http://127.0.0.1:${port}`;
  const health = async () => {
    const answer = await getFresh(`${base}/health`);
    return answer.status === 200 ? (answer.json as { pid: number }).pid : undefined;
  };
  /** Polls /health until `count` different processes have answered; returns their pids. */
  const answeringPids = async (count: number, timeoutMs = 90_000) => {
    const seen = new Set<number>();
    await eventually(
      `${count} api processes to answer /health`,
      async () => {
        const pid = await health();
        if (pid !== undefined) seen.add(pid);
        return seen.size >= count;
      },
      timeoutMs,
    );
    return seen;
  };
  const metrics = async () => {
    const answer = await getFresh(`${base}/metrics`);
    if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}: ${answer.text}`);
    return answer.text;
  };
  return { ...run, base, dbName, health, answeringPids, metrics };
}

const HEALTH_COUNT = 'orderflow_http_request_duration_seconds_count';
const HEALTH_200 = { method: 'GET', route: '/health', status_code: '200', service: 'api' };

t.test('API_WORKERS defaults to one worker per core and takes 1 to 256', async (t) => {
  t.equal(loadApiConfig({}).workers, availableParallelism());
  t.equal(loadApiConfig({ API_WORKERS: '1' }).workers, 1);
  t.equal(loadApiConfig({ API_WORKERS: '256' }).workers, 256);
  t.throws(() => loadApiConfig({ API_WORKERS: '0' }), {
    name: 'ConfigError',
    issues: ['API_WORKERS: expected a whole number from 1 to 256 (got "0")'],
  });
});

t.test('an invalid API_WORKERS stops the api with exit code 78 naming the variable', async (t) => {
  const run = startApiProcess(t, { API_WORKERS: 'many' });
  const { code } = await run.exited;
  t.equal(code, 78);
  t.match(run.stderr(), 'API_WORKERS: expected a whole number from 1 to 256 (got "many")');
});

t.test('with API_WORKERS=1 the api runs in the one process, without a cluster', async (t) => {
  const api = await startApi(t, { API_WORKERS: '1' });
  await eventually('the api to be ready', async () => (await getFresh(`${api.base}/ready`)).status === 200, 90_000);

  t.equal(await api.health(), api.child.pid, '/health is answered by the process that was started');
  t.ok(metricSample(await api.metrics(), HEALTH_COUNT, HEALTH_200) >= 1, '/metrics counts its own requests');

  api.child.kill('SIGTERM');
  t.same(await api.exited, { code: 0, signal: null }, 'SIGTERM stops it with exit code 0');
});

t.test('with API_WORKERS=2', async (t) => {
  const api = await startApi(t, { API_WORKERS: '2', SHUTDOWN_DELAY_MS: '1000' });
  const primary = api.child.pid!;
  const workers = await api.answeringPids(2);
  await eventually('the api to be ready', async () => (await getFresh(`${api.base}/ready`)).status === 200, 90_000);

  t.test('answers come from two worker processes, neither of them the primary', async (t) => {
    t.equal(workers.size, 2);
    t.notOk(workers.has(primary), 'the primary serves no request');
  });

  t.test('the workers applied the migrations once between them, without a crash', async (t) => {
    const mongo = createMongo({ url: servers.mongoUrl, db: api.dbName, maxPoolSize: 2, timeoutMs: 5_000 }, 'test');
    t.teardown(() => mongo.close());
    const records = await mongo.db
      .collection<{ _id: number; applied_by: string }>(MIGRATIONS_COLLECTION)
      .find({})
      .toArray();

    t.same(records.map((r) => r._id).sort(), MIGRATIONS.map((m) => m.version).sort());
    t.equal(new Set(records.map((r) => r.applied_by)).size, 1, 'one worker applied them all');
    t.same(
      api.logLines.filter((line) => line['event.action'] === 'worker-died'),
      [],
      'no worker died',
    );
  });

  t.test('/metrics counts the requests served by every worker', async (t) => {
    const before = metricSample(await api.metrics(), HEALTH_COUNT, HEALTH_200);
    const sent = 40;
    const answeredBy = new Map<number, number>();
    for (let i = 0; i < sent; i++) {
      const pid = await api.health();
      if (pid !== undefined) answeredBy.set(pid, (answeredBy.get(pid) ?? 0) + 1);
    }

    t.same([...answeredBy.keys()].sort(), [...workers].sort(), 'both workers served some of them');
    t.equal(
      [...answeredBy.values()].reduce((a, b) => a + b, 0),
      sent,
      'every request was answered',
    );
    await eventually('the aggregate to count every request', async () => {
      const counted = metricSample(await api.metrics(), HEALTH_COUNT, HEALTH_200) - before;
      if (counted > sent) throw new Error(`counted ${counted} requests, sent ${sent}`);
      return counted === sent;
    });
    const text = await api.metrics();
    t.equal(text.match(/^nodejs_version_info\{/gm)?.length, 1, 'the Node version once, not once per worker');
    t.ok(metricSample(text, 'process_resident_memory_bytes') > 0, 'the process metrics of the workers are there');
  });

  t.test('/stats answers the same whichever worker serves it', async (t) => {
    // Fresh connections are handed out round-robin, so these reach both workers (as the
    // /health answers above show).
    const answers: Record<string, unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      const answer = await getFresh(`${api.base}/stats`);
      t.equal(answer.status, 200);
      answers.push(answer.json as Record<string, unknown>);
    }
    const withoutUptime = answers.map(({ uptime_seconds: _uptime, ...rest }) => rest);
    t.ok(
      withoutUptime.every((answer) => JSON.stringify(answer) === JSON.stringify(withoutUptime[0])),
      `one answer: ${JSON.stringify(withoutUptime[0])}`,
    );
    const uptimes = answers.map((answer) => answer.uptime_seconds as number);
    t.ok(Math.max(...uptimes) - Math.min(...uptimes) <= 2, `one uptime, the oldest worker's (${uptimes.join(', ')})`);
  });

  t.test('a worker killed with SIGKILL is replaced while the other keeps answering', async (t) => {
    const [killed, survivor] = [...workers] as [number, number];
    process.kill(killed, 'SIGKILL');
    const died = await eventually('the primary to notice the death', () =>
      api.logLines.find((line) => line['event.action'] === 'worker-died'),
    );
    t.match(died, { worker: { pid: killed, signal: 'SIGKILL' } }, 'the death is logged');

    const answers: (number | undefined)[] = [];
    for (let i = 0; i < 10; i++) answers.push(await api.health());
    t.ok(
      answers.every((pid) => pid !== undefined && pid !== killed),
      'every request after the death is answered, none by the dead worker',
    );
    const now = await api.answeringPids(2);
    t.ok(now.has(survivor), 'the survivor still answers');
    const [replacement] = [...now].filter((pid) => pid !== survivor && pid !== killed);
    t.ok(replacement, 'a new worker answers');
    await eventually('/metrics to aggregate again', () => api.metrics());
    workers.clear();
    for (const pid of now) if (pid !== killed) workers.add(pid);
  });

  t.test('SIGTERM to the primary drains every worker and exits 0, leaving no worker behind', async (t) => {
    t.equal(workers.size, 2);
    api.child.kill('SIGTERM');
    await eventually('/ready to answer 503 while draining', async () => {
      const answer = await getFresh(`${api.base}/ready`);
      return answer.status === 503 && (answer.json as { status: string }).status === 'draining';
    });

    t.same(await api.exited, { code: 0, signal: null }, `exit code 0 (stderr: ${api.stderr().slice(0, 500)})`);
    t.same([...workers].filter(isProcessAlive), [], 'every worker has exited');
  });
});

t.test('Ctrl-C, which signals every process of the group, stops the cluster cleanly', async (t) => {
  const api = await startApi(t, { API_WORKERS: '2' }, { processGroup: true });
  const workers = await api.answeringPids(2);

  // Each worker gets SIGINT from the terminal and then SIGTERM from the primary: the
  // second signal must not cut the first one's graceful stop short.
  process.kill(-api.child.pid!, 'SIGINT');

  t.same(await api.exited, { code: 0, signal: null }, `exit code 0 (stderr: ${api.stderr().slice(0, 500)})`);
  t.same([...workers].filter(isProcessAlive), [], 'every worker has exited');
});
