import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { loadSimulatorConfig, startSimulator } from '@orderflow/payment-simulator';
import { uniqueName, useTestServers } from '@orderflow/testkit';
import { startApi } from '../../services/api/src/api.js';
import { loadApiConfig } from '../../services/api/src/config.js';
import { loadNotifierConfig } from '../../services/notifier/src/config.js';
import { startNotifier } from '../../services/notifier/src/notifier.js';
import { loadProcessorConfig } from '../../services/processor/src/config.js';
import { startProcessor } from '../../services/processor/src/processor.js';
import { loadSchedulerConfig } from '../../services/scheduler/src/config.js';
import { startScheduler } from '../../services/scheduler/src/scheduler.js';
import { alertExpressions, dashboardExpressions, metricNames } from './support/promql-metrics.js';

/** The families SPEC §9 and the observability issue name, with the labels each must carry. */
const REQUIRED: Record<string, readonly string[]> = {
  orderflow_http_request_duration_seconds: ['method', 'route', 'status_code'],
  orderflow_orders_created_total: ['lane'],
  orderflow_order_transitions_total: ['from', 'to'],
  orderflow_order_completion_seconds: ['outcome'],
  orderflow_validation_duration_seconds: [],
  orderflow_validation_pool_utilization: [],
  orderflow_validation_pool_queue_size: [],
  orderflow_consumer_pending_messages: ['consumer'],
  orderflow_messages_handled_total: ['consumer', 'result'],
  orderflow_dlq_messages_total: ['subject'],
  orderflow_outbox_backlog: [],
  orderflow_notifications_total: ['kind', 'result'],
  orderflow_sse_clients: [],
  orderflow_eventloop_lag_seconds: [],
};

const servers = await useTestServers(t);
const env = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  NATS_URL: servers.natsUrl,
  MONGO_URL: servers.mongoUrl,
  MONGO_DB: uniqueName('metrics'),
  NATS_NAMESPACE: uniqueName(servers.namespace),
  PAYMENT_WEBHOOK_SECRET: 'live-metrics-secret',
  PAYMENT_DELAY_MS: '0',
  PAYMENT_SETTLE_MS: '100',
  PAYMENT_SUCCESS_RATE: '1',
  VALIDATION_THREADS: '1',
  OUTBOX_SWEEP_MS: '1000',
  SWEEP_INTERVAL_MS: '200',
  OPS_PORT: '0',
};

const api = await startApi(loadApiConfig({ ...env, PORT: '0' }));
t.teardown(() => api.stop());
const base = `http://127.0.0.1:${api.port}`;
const simulator = await startSimulator(
  loadSimulatorConfig({ ...env, PORT: '0', PAYMENT_WEBHOOK_URL: `${base}/webhooks/payments` }),
);
t.teardown(() => simulator.stop());
const processor = await startProcessor(
  loadProcessorConfig({ ...env, PAYMENT_URL: `http://127.0.0.1:${simulator.port}` }),
);
t.teardown(() => processor.stop());
const notifier = await startNotifier(loadNotifierConfig(env));
t.teardown(() => notifier.stop());
const scheduler = await startScheduler(loadSchedulerConfig(env));
t.teardown(() => scheduler.stop());

// One order all the way, so the families have samples, not only their HELP and TYPE.
const id = uniqueName('metered');
const created = await fetch(`${base}/orders`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ id, customer_id: 'c-metrics', items: [{ sku: 'A', quantity: 1 }], total: 9.5 }),
});
if (created.status !== 202) throw new Error(`POST /orders answered ${created.status}`);
const deadline = Date.now() + 30_000;
while (Date.now() < deadline) {
  const notes = (await (await fetch(`${base}/orders/${id}/notifications`)).json()) as { notifications: unknown[] };
  if (notes.notifications.length > 0) break;
  await sleep(100);
}

const targets = {
  api: `${base}/metrics`,
  processor: `http://127.0.0.1:${processor.port}/metrics`,
  notifier: `http://127.0.0.1:${notifier.port}/metrics`,
  scheduler: `http://127.0.0.1:${scheduler.port}/metrics`,
};
const expositions = Object.fromEntries(
  await Promise.all(Object.entries(targets).map(async ([service, url]) => [service, await (await fetch(url)).text()])),
) as Record<keyof typeof targets, string>;

/** Sample names an exposition holds, histograms' `_bucket`, `_sum` and `_count` included. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name!}${suffix}`);
  }
  return names;
}

function promtoolCheckMetrics(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        resolve({
          code: 127,
          output:
            'promtool is missing: bash scripts/check-observability.sh installs it (Debian: apt-get install prometheus)',
        });
        return;
      }
      resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

for (const [service, text] of Object.entries(expositions)) {
  t.test(`promtool check metrics passes on the ${service}'s /metrics`, async (t) => {
    const { code, output } = await promtoolCheckMetrics(text);
    t.equal(code, 0, output.trim() || 'no findings');
  });
}

const exported = new Set(Object.values(expositions).flatMap((text) => [...exportedNames(text)]));
// Series Prometheus makes itself for every target.
const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

t.test('every family of SPEC §9 is exported with its labels', async (t) => {
  const all = Object.values(expositions).join('\n');
  for (const [family, labels] of Object.entries(REQUIRED)) {
    t.ok(exported.has(family), `${family} is exported`);
    for (const label of labels) {
      t.match(
        all,
        new RegExp(`^${family}(_bucket|_count)?\\{[^}]*\\b${label}="`, 'm'),
        `${family} has the ${label} label`,
      );
    }
  }
  t.match(expositions.api, /^orderflow_orders_created_total\{lane="normal",service="api"\} 1$/m, 'the order counted');
  t.match(
    expositions.processor,
    /^orderflow_order_transitions_total\{from="pending",to="processing",service="processor"\} 1$/m,
  );
  t.match(expositions.processor, /^orderflow_order_completion_seconds_count\{(?=[^}]*outcome="completed")[^}]*\} 1$/m);
  t.match(
    expositions.notifier,
    /^orderflow_messages_handled_total\{consumer="notifier-completed",result="ack",service="notifier"\} 1$/m,
  );
  t.match(expositions.notifier, /^orderflow_notifications_total\{kind="email",result="sent",service="notifier"\} 1$/m);
});

t.test('dashboards and alert rules name only metrics the services export', async (t) => {
  const dashboardsDir = new URL('../../observability/grafana/dashboards/', import.meta.url);
  const expressions: { where: string; expr: string }[] = [];
  for (const file of await readdir(dashboardsDir)) {
    const json: unknown = JSON.parse(await readFile(new URL(file, dashboardsDir), 'utf8'));
    for (const expr of dashboardExpressions(json)) expressions.push({ where: file, expr });
  }
  const rules = await readFile(new URL('../../observability/prometheus/alerts.yml', import.meta.url), 'utf8');
  for (const expr of alertExpressions(rules)) expressions.push({ where: 'alerts.yml', expr });
  t.ok(expressions.length > 20, `${expressions.length} expressions checked`);
  for (const { where, expr } of expressions) {
    const unknown = metricNames(expr).filter((name) => !exported.has(name) && !PROMETHEUS_OWN.has(name));
    t.same(unknown, [], `${where}: ${expr}`);
  }
});
