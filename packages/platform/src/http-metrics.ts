import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

/** The `route` label of requests no route matched: their URLs would make the label unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `orderflow_http_request_duration_seconds` (SPEC §9) over every answer of `app`, by
 * method, route pattern (`/orders/:id`, never the URL) and status code; the request's
 * span gets the same route as its name and `http.route`.
 */
export function instrumentHttp(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'orderflow_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its answer, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // The request's server span is named by its route, as the metric is labelled.
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined) {
      trace.getActiveSpan()?.updateName(`${request.method} ${route}`).setAttribute('http.route', route);
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1_000,
    );
    done();
  });
}
