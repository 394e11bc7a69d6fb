import { access, readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';
import { alertExpressions, metricNames } from './support/promql-metrics.js';
import { SPEC_SERIES_NAMES } from './support/spec-metrics.js';

interface RelabelRule {
  source_labels?: string[];
  regex?: string;
  action?: string;
  target_label?: string;
}
interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  static_configs?: Array<{ targets: string[]; labels: Record<string, string> }>;
  kubernetes_sd_configs?: Array<{ role: string }>;
  relabel_configs?: RelabelRule[];
}
interface PrometheusConfig {
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
}
interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTests {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

const root = new URL('../../', import.meta.url);
const prometheusDir = new URL('observability/prometheus/', root);
const read = (path: string) => readFile(new URL(path, prometheusDir), 'utf8');
const alertsText = await read('alerts.yml');
const groups = (parse(alertsText) as { groups: Array<{ name: string; rules: Rule[] }> }).groups;
const rules = groups.flatMap((group) => group.rules);
const ruleTests = parse(await read('tests/alerts.test.yml')) as RuleTests;
const docs = await readFile(new URL('docs/observability.md', root), 'utf8');

const REQUIRED_ALERTS = [
  'OrderflowDLQGrowing',
  'OrderflowConsumerBacklogHigh',
  'OrderflowHTTPErrorRatioHigh',
  'OrderflowNoOrderCompleted',
  'OrderflowOutboxBacklogOld',
  'OrderflowTargetDown',
];

async function orderflowJob(file: string): Promise<ScrapeConfig> {
  const config = parse(await read(file)) as PrometheusConfig;
  const job = config.scrape_configs.find((scrape) => scrape.job_name === 'orderflow');
  if (!job) throw new Error(`${file} has no orderflow job`);
  return job;
}

for (const file of ['prometheus.yml', 'prometheus-kubernetes.yml']) {
  t.test(`${file} loads rule files that exist`, async (t) => {
    const ruleFiles = (parse(await read(file)) as PrometheusConfig).rule_files ?? [];
    t.ok(ruleFiles.length > 0);
    for (const ruleFile of ruleFiles) await t.resolves(access(new URL(ruleFile, prometheusDir)), ruleFile);
  });

  t.test(`${file} scrapes the orderflow job and keeps the services' own labels`, async (t) => {
    t.equal((await orderflowJob(file)).honor_labels, true);
  });
}

t.test('docker compose targets are the four services on their default ports', async (t) => {
  const job = await orderflowJob('prometheus.yml');
  t.same(
    job.static_configs?.map((group) => [group.labels.service, group.targets]),
    [
      ['api', ['api:8080']],
      ['processor', ['processor:9101']],
      ['notifier', ['notifier:9102']],
      ['scheduler', ['scheduler:9103']],
    ],
  );
});

t.test('Kubernetes discovery keeps annotated Orderflow pods and labels them by component', async (t) => {
  const job = await orderflowJob('prometheus-kubernetes.yml');
  t.ok(['pod', 'endpoints'].includes(job.kubernetes_sd_configs?.[0]?.role ?? ''));
  const relabel = job.relabel_configs ?? [];
  const has = (wanted: RelabelRule) =>
    relabel.some(
      (rule) =>
        (wanted.source_labels === undefined || rule.source_labels?.join() === wanted.source_labels.join()) &&
        (wanted.action === undefined || rule.action === wanted.action) &&
        (wanted.regex === undefined || rule.regex === wanted.regex) &&
        (wanted.target_label === undefined || rule.target_label === wanted.target_label),
    );
  t.ok(
    has({
      action: 'keep',
      source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_part_of'],
      regex: 'orderflow',
    }),
  );
  t.ok(
    has({ action: 'keep', source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true' }),
  );
  t.ok(has({ target_label: '__metrics_path__' }));
  t.ok(has({ target_label: '__address__' }));
  t.ok(has({ source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_component'], target_label: 'component' }));
});

t.test('all alerts are in the orderflow group, and the required ones are there', async (t) => {
  t.same(
    groups.map((group) => group.name),
    ['orderflow'],
  );
  const names = rules.map((rule) => rule.alert);
  for (const name of REQUIRED_ALERTS) t.ok(names.includes(name), name);
  t.equal(new Set(names).size, names.length, 'names are unique');
});

for (const rule of rules) {
  t.test(`${rule.alert} has a severity, a summary, a description and a runbook in the docs`, async (t) => {
    t.ok(['warning', 'critical'].includes(rule.labels?.severity ?? ''), 'severity');
    t.ok(rule.annotations?.summary, 'summary');
    t.ok(rule.annotations?.description, 'description');
    const anchor = `alert-${rule.alert.toLowerCase()}`;
    t.equal(rule.annotations?.runbook_url, `docs/observability.md#${anchor}`);
    t.ok(docs.includes(`<a id="${anchor}"></a>`), `docs/observability.md has the anchor ${anchor}`);
  });

  t.test(`${rule.alert} has a unit test where it fires and one where it does not`, async (t) => {
    const cases = ruleTests.tests
      .flatMap((test) => test.alert_rule_test ?? [])
      .filter((test) => test.alertname === rule.alert);
    t.ok(
      cases.some((test) => (test.exp_alerts ?? []).length > 0),
      'a firing case',
    );
    t.ok(
      cases.some((test) => (test.exp_alerts ?? []).length === 0),
      'a silent case',
    );
  });
}

t.test('alert expressions read only the metrics the services export', async (t) => {
  for (const expr of alertExpressions(alertsText)) {
    for (const name of metricNames(expr)) t.ok(SPEC_SERIES_NAMES.has(name), `${name} in ${expr}`);
  }
});
