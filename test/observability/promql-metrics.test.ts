import t from 'tap';
import { alertExpressions, dashboardExpressions, metricNames } from './support/promql-metrics.js';

t.test('a plain selector yields its metric name', async (t) => {
  t.same(metricNames('up'), ['up']);
  t.same(metricNames('orderflow_sse_clients{service="api"}'), ['orderflow_sse_clients']);
});

t.test('functions, aggregations and label lists are not metric names', async (t) => {
  const expr =
    'histogram_quantile(0.95, sum by (service, route, le) (rate(orderflow_http_request_duration_seconds_bucket[5m])))';
  t.same(metricNames(expr), ['orderflow_http_request_duration_seconds_bucket']);
  t.same(metricNames('sum(rate(orderflow_orders_created_total[5m])) by (lane)'), ['orderflow_orders_created_total']);
  t.same(metricNames('count without (instance, pod) (up)'), ['up']);
  t.same(metricNames('topk(3, max by (consumer) (orderflow_consumer_pending_messages))'), [
    'orderflow_consumer_pending_messages',
  ]);
});

t.test('binary operators, vector matching and modifiers are not metric names', async (t) => {
  const expr = `
    sum(increase(orderflow_orders_created_total[10m])) > bool 0
    and on ()
    (sum(increase(orderflow_order_completion_seconds_count{outcome="completed"}[10m])) or vector(0)) == 0
    unless ignoring (outcome) group_left (service)
    (orderflow_order_completion_seconds_count unless orderflow_order_completion_seconds_count offset 10m)
    or atan2 process_cpu_seconds_total @ 1609746000`;
  t.same(metricNames(expr), [
    'orderflow_orders_created_total',
    'orderflow_order_completion_seconds_count',
    'process_cpu_seconds_total',
  ]);
});

t.test('label matchers and string literals are skipped even when they look like names', async (t) => {
  const expr =
    'label_replace(orderflow_messages_handled_total{result=~"nak|dlq", consumer!="up"}, "lane", "$1", "consumer", "processor-(.*)")';
  t.same(metricNames(expr), ['orderflow_messages_handled_total']);
  t.same(metricNames(`count_values('version', nodejs_active_handles_total{a="}{"})`), ['nodejs_active_handles_total']);
});

t.test('numbers, durations, subqueries and comments are skipped', async (t) => {
  const expr = `max_over_time(rate(nodejs_gc_duration_seconds_sum[1h30m])[1d:5m]) * 1e-3 + 0x1f - Inf # a comment with up`;
  t.same(metricNames(expr), ['nodejs_gc_duration_seconds_sum']);
  t.same(metricNames('vector(0) + NaN'), []);
});

t.test('Grafana variables are not metric names', async (t) => {
  const expr =
    'sum by (route) (rate(orderflow_http_request_duration_seconds_count{service=~"$service"}[$__rate_interval])) / $scale + ${factor} * [[legacy]] + increase(up[$__range])';
  t.same(metricNames(expr), ['orderflow_http_request_duration_seconds_count', 'up']);
});

t.test('a selector by __name__ yields the name it matches', async (t) => {
  t.same(metricNames('{__name__="orderflow_outbox_backlog", service="scheduler"}'), ['orderflow_outbox_backlog']);
});

t.test('each metric name is listed once, in order of first appearance', async (t) => {
  t.same(metricNames('up + up * orderflow_sse_clients / up'), ['up', 'orderflow_sse_clients']);
});

t.test('dashboard expressions come from panels, nested rows and query variables', async (t) => {
  const dashboard = {
    panels: [
      { type: 'timeseries', targets: [{ expr: 'rate(a_total[5m])' }, { expr: '' }, { refId: 'B' }] },
      { type: 'row', collapsed: true, panels: [{ targets: [{ expr: 'b_gauge' }] }] },
    ],
    templating: {
      list: [
        { type: 'query', query: { query: 'label_values(c_total{job="x"}, service)' } },
        { type: 'query', query: 'label_values(instance)' },
        { type: 'query', query: 'query_result(topk(5, d_gauge))' },
        { type: 'custom', query: 'a,b,c' },
        { type: 'query', query: 'label_names()' },
      ],
    },
  };
  t.same(dashboardExpressions(dashboard), ['rate(a_total[5m])', 'b_gauge', 'c_total{job="x"}', 'topk(5, d_gauge)']);
});

t.test('alert expressions come from every rule of every group', async (t) => {
  const rules = `
groups:
  - name: one
    rules:
      - alert: A
        expr: up == 0
      - record: job:b:sum
        expr: |
          sum by (job) (b_total)
  - name: two
    rules:
      - alert: C
        expr: c_gauge > 1
`;
  t.same(alertExpressions(rules), ['up == 0', 'sum by (job) (b_total)\n', 'c_gauge > 1']);
});
