import { readdir, readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';
import { dashboardExpressions, metricNames } from './support/promql-metrics.js';
import { SPEC_SERIES_NAMES } from './support/spec-metrics.js';

interface Target {
  refId: string;
  expr?: string;
  datasource?: unknown;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: unknown;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  datasource?: unknown;
  query?: unknown;
}
interface Dashboard {
  uid: string;
  title: string;
  panels?: Panel[];
  templating?: { list?: Variable[] };
}

const grafana = new URL('../../observability/grafana/', import.meta.url);
const dashboardDir = new URL('dashboards/', grafana);
const files = (await readdir(dashboardDir)).filter((name) => name.endsWith('.json')).sort();
const dashboards = await Promise.all(
  files.map(async (file) => ({
    file,
    json: JSON.parse(await readFile(new URL(file, dashboardDir), 'utf8')) as Dashboard,
  })),
);

/** Panels at the top level and inside rows, rows included. */
function allPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

t.test('the overview and service internals dashboards are provisioned', async (t) => {
  t.same(files, ['orderflow-overview.json', 'service-internals.json']);
  t.same(
    dashboards.map(({ json }) => json.title),
    ['Orderflow overview', 'Service internals'],
  );
});

t.test('every dashboard has its own stable uid', async (t) => {
  const uids = dashboards.map(({ json }) => json.uid);
  for (const uid of uids) t.match(uid, /^orderflow-[a-z-]+$/);
  t.equal(new Set(uids).size, uids.length);
});

for (const { file, json } of dashboards) {
  t.test(`${file}: panel ids are unique`, async (t) => {
    const ids = allPanels(json).map((panel) => panel.id);
    for (const id of ids) t.type(id, 'number');
    t.equal(new Set(ids).size, ids.length);
  });

  t.test(`${file}: every panel queries the prometheus datasource and says what it shows`, async (t) => {
    for (const panel of allPanels(json).filter((panel) => panel.type !== 'row')) {
      t.same(panel.datasource, { type: 'prometheus', uid: 'prometheus' }, `${panel.title}: datasource`);
      t.ok((panel.description ?? '').length > 10, `${panel.title}: description`);
      t.ok(Array.isArray(panel.targets) && panel.targets.length > 0, `${panel.title}: targets`);
      for (const target of panel.targets ?? []) {
        t.ok(target.expr?.trim(), `${panel.title} ${target.refId}: expr`);
        t.same(target.datasource, { type: 'prometheus', uid: 'prometheus' }, `${panel.title} ${target.refId}`);
      }
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      t.equal(new Set(refIds).size, refIds.length, `${panel.title}: refIds are unique`);
    }
  });

  t.test(`${file}: panels fit the 24-column grid without overlapping`, async (t) => {
    const cells = new Set<string>();
    for (const panel of allPanels(json)) {
      const { x, y, w, h } = panel.gridPos;
      t.ok(x >= 0 && w > 0 && x + w <= 24, `${panel.title}: within the width`);
      for (let row = y; row < y + h; row++) {
        for (let column = x; column < x + w; column++) {
          const cell = `${column},${row}`;
          if (cells.has(cell)) t.fail(`${panel.title} overlaps another panel at ${cell}`);
          cells.add(cell);
        }
      }
    }
  });

  t.test(`${file}: expressions read only the metrics the services export`, async (t) => {
    const expressions = dashboardExpressions(json);
    t.ok(expressions.length > 0);
    for (const expr of expressions) {
      for (const name of metricNames(expr)) t.ok(SPEC_SERIES_NAMES.has(name), `${name} in ${expr}`);
    }
  });

  t.test(`${file}: query variables use the prometheus datasource`, async (t) => {
    for (const variable of json.templating?.list ?? []) {
      if (variable.type === 'query') t.same(variable.datasource, { type: 'prometheus', uid: 'prometheus' });
    }
  });
}

t.test('service internals can be narrowed to one service', async (t) => {
  const internals = dashboards.find(({ file }) => file === 'service-internals.json')!.json;
  const service = internals.templating?.list?.find((variable) => variable.name === 'service');
  t.match(service, {
    type: 'query',
    query: { query: 'label_values(orderflow_http_request_duration_seconds_count, service)' },
  });
  t.ok(dashboardExpressions(internals).some((expr) => expr.includes('service=~"$service"')));
});

t.test('the datasource is provisioned under the uid the dashboards use', async (t) => {
  const provisioning = parse(await readFile(new URL('provisioning/datasources/prometheus.yml', grafana), 'utf8')) as {
    datasources: unknown;
  };
  t.match(provisioning.datasources, [{ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }]);
});

t.test('the dashboard provider loads the dashboards into the Orderflow folder', async (t) => {
  const provisioning = parse(await readFile(new URL('provisioning/dashboards/orderflow.yml', grafana), 'utf8')) as {
    providers: unknown;
  };
  t.match(provisioning.providers, [
    { type: 'file', folder: 'Orderflow', options: { path: '/var/lib/grafana/dashboards' } },
  ]);
});
