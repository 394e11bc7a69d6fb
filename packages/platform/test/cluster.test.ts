import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { createLogger, runCluster, type ClusterOptions } from '@orderflow/platform';
import { eventually, freePort, getFresh, isProcessAlive, metricSample } from '@orderflow/testkit';

const FIXTURE = fileURLToPath(new URL('./fixtures/cluster-worker.ts', import.meta.url));
const TSX = ['--conditions=orderflow-source', '--import', 'tsx'];

/** A cluster of fixture workers on a free port, with its log lines parsed; stopped at teardown. */
async function startFixtureCluster(t: Test, mode: string, options: Partial<ClusterOptions> = {}) {
  const port = await freePort();
  const lines: Record<string, any>[] = [];
  const destination = new PassThrough();
  destination.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, any>);
  });
  const log = createLogger({ service: 'fixture', version: '0', environment: 'test', level: 'info', destination });
  const cluster = runCluster({
    workers: 2,
    log,
    shutdownTimeoutMs: 10_000,
    exec: FIXTURE,
    execArgv: TSX,
    env: { FIXTURE_PORT: String(port), FIXTURE_MODE: mode },
    ...options,
  });
  t.teardown(async () => {
    await cluster.stop('test over');
  });
  const base = `http://127.0.0.1:${port}`;
  /** Sends requests until `count` different workers have answered; returns every answering pid. */
  const answeringPids = async (count: number) => {
    const seen = new Set<number>();
    await eventually(
      `${count} workers to answer`,
      async () => {
        const answer = await getFresh(`${base}/`);
        if (answer.status === 200) seen.add(Number(answer.text));
        return seen.size >= count;
      },
      60_000,
    );
    return seen;
  };
  return { cluster, base, lines, answeringPids };
}

t.test('requests are spread over the workers and /metrics sums what every worker counted', async (t) => {
  const { base, answeringPids } = await startFixtureCluster(t, 'serve');
  const pids = await answeringPids(2);
  const before = await getFresh(`${base}/metrics`);
  const counted = (text: string) => metricSample(text, 'fixture_answers_total', { service: 'fixture' });

  const sent = 20;
  const answeredBy = new Set<number>();
  for (let i = 0; i < sent; i++) answeredBy.add(Number((await getFresh(`${base}/`)).text));
  const after = await getFresh(`${base}/metrics`);

  t.same([...answeredBy].sort(), [...pids].sort(), 'both workers answered');
  t.equal(after.status, 200);
  t.equal(counted(after.text) - counted(before.text), sent, 'the aggregate counts the answers of both workers');
  t.equal(after.text.match(/^nodejs_version_info\{/gm)?.length, 1, 'the version is reported once, not per worker');
  t.match(after.text, /^process_start_time_seconds\{service="fixture"\} \d+/m, 'the start time is kept');
});

t.test('a worker that dies is replaced and the others keep answering', async (t) => {
  const { cluster, lines, answeringPids } = await startFixtureCluster(t, 'serve');
  const [killed, survivor] = [...(await answeringPids(2))];
  process.kill(killed!, 'SIGKILL');

  const replaced = await eventually('a new worker', () => {
    const pids = cluster.pids();
    return pids.length === 2 && !pids.includes(killed!) && pids.find((pid) => pid !== survivor);
  });
  const answering = await answeringPids(2);
  t.same([...answering].sort(), [survivor, replaced].sort(), 'the survivor and the new worker answer');
  t.match(
    lines.find((line) => line['event.action'] === 'worker-died'),
    { worker: { pid: killed, signal: 'SIGKILL' }, restart_delay_ms: 100 },
    'the death is logged with the delay before the replacement',
  );
});

t.test('workers that keep crashing are restarted with a doubling delay, up to its maximum', async (t) => {
  const { lines } = await startFixtureCluster(t, 'crash', { restartDelayMs: 20, maxRestartDelayMs: 80 });
  const deaths = () => lines.filter((line) => line['event.action'] === 'worker-died');
  await eventually('five crashes', () => deaths().length >= 5, 60_000);

  t.same(
    deaths()
      .slice(0, 5)
      .map((line) => Number(line.restart_delay_ms)),
    [20, 40, 80, 80, 80],
  );
  t.ok(
    deaths().every((line) => line.worker.exit_code === 3),
    'each death is logged with its exit code',
  );
});

t.test('stop has every worker drain and reports a clean stop once all exited 0', async (t) => {
  const { cluster, answeringPids } = await startFixtureCluster(t, 'serve');
  const pids = await answeringPids(2);

  const { clean } = await cluster.stop('test');

  t.equal(clean, true);
  t.same(cluster.pids(), [], 'no worker is left');
  t.same([...pids].filter(isProcessAlive), [], 'every worker process has exited');
});

t.test('workers still running after the shutdown timeout are killed and the stop is not clean', async (t) => {
  const { cluster, answeringPids } = await startFixtureCluster(t, 'ignore-sigterm', { shutdownTimeoutMs: 500 });
  const pids = await answeringPids(2);

  const { clean } = await cluster.stop('test');

  t.equal(clean, false);
  t.same([...pids].filter(isProcessAlive), [], 'every worker process has exited');
});

t.test('runCluster refuses a worker count that is not a positive integer', async (t) => {
  const log = createLogger({ service: 'fixture', version: '0', environment: 'test', level: 'silent' });
  t.throws(() => runCluster({ workers: 0, log, shutdownTimeoutMs: 1_000 }), {
    name: 'RangeError',
    message: 'options.workers must be a positive integer (got 0)',
  });
});
