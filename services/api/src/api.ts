import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import { createOrderMetrics, createOrderStore } from '@orderflow/event-store';
import { faultPoints, startRuntime, type Runtime, type ServiceOptions } from '@orderflow/platform';
import type { ApiConfig } from './config.js';
import { answerClientError, registerErrorHandling, storeUnavailable } from './entry-points/http/errors.js';
import { registerApiDocs } from './entry-points/http/api-docs.js';
import { useStrictJsonBodies } from './entry-points/http/json-body.js';
import { registerNotificationRoutes } from './entry-points/http/notifications-routes.js';
import { registerOrderRoutes } from './entry-points/http/orders-routes.js';
import { registerStatsRoutes } from './entry-points/http/stats-routes.js';
import { registerStreamRoutes } from './entry-points/http/stream-routes.js';
import { hostileKeys, RequestValidationError, useStrictValidation } from './entry-points/http/validation.js';
import { registerWebhookRoutes } from './entry-points/http/webhook-routes.js';
import { createClientLimits, type ClientLimits } from './live/client-limits.js';
import { startIntakePressure } from './live/intake-pressure.js';
import { createOrderFeed, type OrderFeed } from './live/order-feed.js';
import { registerSseMetrics } from './live/sse-metrics.js';
import { statsReaderOf } from './stats.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const OPS_ROUTES = new Set(['/health', '/ready', '/metrics']);

/**
 * Starts the api (SPEC §3): order intake and reads, cancellation, payment webhooks, and
 * /health, /ready, /metrics on one port.
 */
export async function startApi(
  config: ApiConfig,
  onFatal?: (error: Error) => void,
  options: ServiceOptions = {},
): Promise<ApiRuntime> {
  const startedAt = new Date();
  let feed: OrderFeed | undefined;
  let limits: ClientLimits | undefined;
  const runtime = await startRuntime({
    config,
    ...options,
    ...(onFatal ? { onFatal } : {}),
    plugins: (app) => registerApiDocs(app, config.version),
    http: {
      bodyLimit: config.maxBodyBytes,
      requestIdHeader: false,
      clientErrorHandler: answerClientError,
      // Errors Fastify raises before routing (a malformed URL, an over-long parameter)
      // get the one error shape too.
      frameworkErrors: (error, request, reply) => {
        void (reply as FastifyReply)
          .code(error.statusCode ?? 400)
          .header('x-request-id', request.id)
          .send({
            error: 'bad_request',
            message: error.message,
            request_id: request.id,
          });
      },
      genReqId: (request) => {
        const given = request.headers['x-request-id'];
        return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      },
    },
    routes: async (app, base) => {
      useStrictValidation(app);
      // JSON only: any other body is 415 (SPEC §3).
      app.removeContentTypeParser('text/plain');
      useStrictJsonBodies(app);
      registerErrorHandling(app);
      app.addHook('onSend', (request, reply, payload, done) => {
        reply.header('x-request-id', request.id);
        done(null, payload);
      });
      app.addHook('preValidation', (request, _reply, done) => {
        const problems = [request.body, request.query, request.params].flatMap(hostileKeys);
        done(problems.length > 0 ? new RequestValidationError(problems) : undefined);
      });
      if (config.rateLimitPerMin > 0) {
        await app.register(rateLimit, {
          max: config.rateLimitPerMin,
          timeWindow: 60_000,
          allowList: (request) => OPS_ROUTES.has(request.url.split('?')[0] ?? ''),
        });
      }
      const faultPoint = faultPoints(config.faultPoint);
      const store = createOrderStore({
        db: base.mongo.db,
        metrics: createOrderMetrics(base.registry),
        bus: lazyBus(() => base.bus),
        log: base.log,
        source: 'api',
        batching: config.batching,
        ...(faultPoint ? { faultPoint } : {}),
      });
      // Once the last request is answered (Fastify runs onClose after them), its publishes
      // finish before NATS and MongoDB close.
      app.addHook('onClose', () => store.settled());
      const orderFeed = createOrderFeed({ bus: base.busReady, log: base.log });
      feed = orderFeed;
      base.lifecycle.onStop('live feed', () => orderFeed.close());
      const clientLimits = createClientLimits({ maxClients: config.sse.maxClients, maxPerIp: config.sse.maxPerIp });
      limits = clientLimits;
      registerSseMetrics(base.registry, clientLimits);
      const pressure = startIntakePressure({
        limits: config.intake,
        bus: base.busReady,
        registry: base.registry,
        log: base.log,
      });
      base.lifecycle.onStop('intake backpressure', () => pressure.stop());
      await app.register((scope, _options, done) => {
        // While the driver knows MongoDB is down, the routes that need it refuse at once
        // rather than wait out server selection (MONGO_TIMEOUT_MS) on every request.
        scope.addHook('preHandler', (_request, _reply, next) =>
          next(base.mongo.knownDown ? storeUnavailable() : undefined),
        );
        registerOrderRoutes(scope, store, pressure);
        registerNotificationRoutes(scope, { store, db: base.mongo.db });
        registerWebhookRoutes(scope, { store, bus: () => base.bus, secret: config.webhookSecret });
        registerStatsRoutes(scope, statsReaderOf(base, startedAt));
        const streams = registerStreamRoutes(scope, {
          store,
          feed: orderFeed,
          limits: clientLimits,
          sse: { ...config.sse, retryMs: 3_000 },
        });
        // Streams never finish by themselves: end them as the server closes, or it would wait for them.
        app.addHook('preClose', (closed) => {
          streams.endAll();
          closed();
        });
        done();
      });
    },
  });
  // Other api processes read it for a cluster-wide uptime (/stats).
  const presence = runtime.presence.announce({ kind: 'api', threads: 1, startedAt });
  runtime.lifecycle.onStop('presence', () => presence.withdraw());
  runtime.markStarted();
  return Object.assign(runtime, {
    live: () => ({ streams: limits?.total ?? 0, listeners: feed?.size() ?? 0 }),
  });
}

export interface ApiRuntime extends Runtime {
  /** Live streams open and feed listeners held now: both return to zero when clients leave. */
  live(): { readonly streams: number; readonly listeners: number };
}

/** The bus connects after the server listens; requests use it once it is there. */
function lazyBus(get: () => Runtime['bus']): Runtime['bus'] {
  return {
    publish: (...args) => get().publish(...args),
    consume: (...args) => get().consume(...args),
    backlog: (...args) => get().backlog(...args),
    watch: (...args) => get().watch(...args),
    close: () => get().close(),
  };
}
