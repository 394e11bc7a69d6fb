import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Readiness } from './readiness.js';

export interface OpsRoutesOptions {
  readonly service: string;
  readonly version: string;
  readonly registry: Registry;
  readonly readiness: Readiness;
}

const RETRY_AFTER_SECONDS = '5';

/**
 * `/health` (liveness, never touches a dependency), `/ready` (503 while starting,
 * draining or missing a required dependency) and `/metrics` (Prometheus text).
 */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  const startedAtMs = Date.now();
  const quiet = { logLevel: 'warn' as const };

  app.get('/health', quiet, () => ({
    status: 'ok',
    timestamp: new Date().toISOString(),
    service: options.service,
    version: options.version,
    uptime_seconds: Math.round((Date.now() - startedAtMs) / 1_000),
    pid: process.pid,
  }));

  app.get('/ready', quiet, async (_request, reply) => {
    const report = await options.readiness.report();
    if (!report.ready) reply.code(503).header('retry-after', RETRY_AFTER_SECONDS);
    return { status: report.status, timestamp: new Date().toISOString(), checks: report.checks };
  });

  app.get('/metrics', quiet, async (_request, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
}
