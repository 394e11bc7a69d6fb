import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { errorMessage } from './errors.js';
import type { MetricsExposition } from './metrics.js';
import type { Readiness } from './readiness.js';

export interface OpsRoutesOptions {
  readonly service: string;
  readonly version: string;
  readonly registry: Registry;
  readonly readiness: Readiness;
  /** What /metrics serves; `registry` when omitted. */
  readonly metrics?: MetricsExposition;
}

const RETRY_AFTER_SECONDS = '5';

/** Route schemas: they shape the answers and document the routes (OpenAPI tags and summaries). */
const READY_BODY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'starting', 'not_ready', 'draining'] },
    timestamp: { type: 'string', format: 'date-time' },
    checks: {
      type: 'object',
      description: 'each dependency (mongo, nats) up or down',
      additionalProperties: { type: 'string', enum: ['up', 'down'] },
    },
  },
  required: ['status', 'timestamp', 'checks'],
};
const SCHEMAS = {
  health: {
    tags: ['operations'],
    summary: 'Liveness: the process answers; never touches a dependency',
    response: {
      200: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['ok'] },
          timestamp: { type: 'string', format: 'date-time' },
          service: { type: 'string' },
          version: { type: 'string' },
          uptime_seconds: { type: 'integer' },
          pid: { type: 'integer' },
        },
        required: ['status', 'timestamp'],
      },
    },
  },
  ready: {
    tags: ['operations'],
    summary:
      'Readiness: 200 when the required dependencies answer, 503 (with Retry-After) otherwise and while draining',
    response: { 200: READY_BODY, 503: READY_BODY },
  },
  metrics: {
    tags: ['operations'],
    summary: 'Prometheus metrics in the text exposition format',
    response: {
      200: {
        description: 'every metric of this process (of every worker, in a cluster)',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
      503: {
        description: 'in a cluster, the metrics of every worker could not be gathered (with Retry-After)',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  },
};

/**
 * `/health` (liveness, never touches a dependency), `/ready` (503 while starting,
 * draining or missing a required dependency) and `/metrics` (Prometheus text).
 */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  const startedAtMs = Date.now();
  const quiet = { logLevel: 'warn' as const };

  app.get('/health', { ...quiet, schema: SCHEMAS.health }, () => ({
    status: 'ok',
    timestamp: new Date().toISOString(),
    service: options.service,
    version: options.version,
    uptime_seconds: Math.round((Date.now() - startedAtMs) / 1_000),
    pid: process.pid,
  }));

  app.get('/ready', { ...quiet, schema: SCHEMAS.ready }, async (_request, reply) => {
    const report = await options.readiness.report();
    if (!report.ready) reply.code(503).header('retry-after', RETRY_AFTER_SECONDS);
    return { status: report.status, timestamp: new Date().toISOString(), checks: report.checks };
  });

  const exposition = options.metrics ?? options.registry;
  app.get('/metrics', { ...quiet, schema: SCHEMAS.metrics }, async (request, reply) => {
    try {
      const text = await exposition.metrics();
      reply.type(exposition.contentType);
      return text;
    } catch (error) {
      request.log.warn({ err: error, 'event.action': 'metrics-unavailable' }, 'metrics could not be gathered');
      reply.code(503).header('retry-after', RETRY_AFTER_SECONDS).type('text/plain; charset=utf-8');
      return `metrics unavailable: ${errorMessage(error)}\n`;
    }
  });
}
