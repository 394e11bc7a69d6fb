import Fastify from 'fastify';
import t from 'tap';
import { createMetricsRegistry, createReadiness, registerOpsRoutes } from '@orderflow/platform';
import { metricSample } from '@orderflow/testkit';
import { instrumentHttp } from '../src/http-metrics.js';

const count = (text: string, labels: Record<string, string>) =>
  metricSample(text, 'orderflow_http_request_duration_seconds_count', labels);

t.test('every answer is timed by method, route pattern and status code', async (t) => {
  const registry = createMetricsRegistry('probe');
  const app = Fastify();
  instrumentHttp(app, registry);
  app.get('/items/:id', (request, reply) =>
    (request.params as { id: string }).id === 'missing' ? reply.code(404).send({}) : { ok: true },
  );
  t.teardown(() => app.close());

  for (const id of ['a', 'b', 'c']) await app.inject({ url: `/items/${id}` });
  await app.inject({ url: '/items/missing' });
  await app.inject({ url: '/no/such/route' });
  const text = await registry.metrics();

  t.equal(
    count(text, { route: '/items/:id', status_code: '200' }),
    3,
    'the three ids count under the one route pattern',
  );
  t.equal(count(text, { route: '/items/:id', status_code: '404' }), 1);
  t.equal(count(text, { method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'unrouted URLs share one label');
  t.notMatch(text, /route="\/items\/a"/, 'never the URL itself');
  t.equal(
    metricSample(text, 'orderflow_http_request_duration_seconds_bucket', { route: '/items/:id', le: '+Inf' }),
    4,
    'a histogram: its +Inf bucket holds every request of the route',
  );
});

t.test('/metrics answers 503 with Retry-After when the metrics cannot be gathered', async (t) => {
  const registry = createMetricsRegistry('probe');
  const app = Fastify();
  registerOpsRoutes(app, {
    service: 'probe',
    version: '0',
    registry,
    readiness: createReadiness(),
    metrics: {
      contentType: registry.contentType,
      metrics: () => Promise.reject(new Error('1 worker(s) sent no metrics within 3000 ms')),
    },
  });
  t.teardown(() => app.close());

  const answer = await app.inject({ url: '/metrics' });

  t.equal(answer.statusCode, 503);
  t.equal(answer.headers['retry-after'], '5');
  t.match(answer.body, 'metrics unavailable: 1 worker(s) sent no metrics within 3000 ms');
});
