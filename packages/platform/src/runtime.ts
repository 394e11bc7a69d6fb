import { jetstreamManager } from '@nats-io/jetstream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { measuredBus } from './bus/bus-metrics.js';
import { createJetStreamBus } from './bus/jetstream-bus.js';
import { ensureTopology } from './bus/jetstream-topology.js';
import { createMemoryBus } from './bus/memory-bus.js';
import { createTopology, type Topology } from './bus/topology.js';
import type { EventBus } from './bus/types.js';
import type { PlatformConfig } from './config.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import { instrumentHttp } from './http-metrics.js';
import { createMetricsRegistry, type MetricsExposition } from './metrics.js';
import { runMigrations } from './migrations.js';
import { createMongo, type MongoHandle } from './mongo.js';
import { measureMongoCommands } from './mongo-metrics.js';
import { connectNats, type NatsHandle } from './nats.js';
import { registerOpsRoutes } from './ops-routes.js';
import { createReadiness, type Readiness } from './readiness.js';
import { createDeferredPresence } from './presence/deferred-presence.js';
import { createJetStreamPresence } from './presence/jetstream-presence.js';
import { createMemoryPresence } from './presence/memory-presence.js';
import type { Presence } from './presence/types.js';

export interface RuntimeOptions {
  readonly config: PlatformConfig;
  /** Routes of the service's own HTTP API, registered before the server listens. */
  readonly routes?: (app: FastifyInstance, runtime: Omit<Runtime, 'app'>) => Promise<void> | void;
  /**
   * Plugins that must see every route, the ops routes included (an OpenAPI generator):
   * registered right after the server is created, before any route.
   */
  readonly plugins?: (app: FastifyInstance) => Promise<void>;
  /** Options of the HTTP server (body limit, request ids, validation), for the api. */
  readonly http?: Omit<FastifyServerOptions, 'logger' | 'loggerInstance'>;
  /** Streams and consumers; SPEC §4 when omitted. */
  readonly topology?: Topology;
  /** A bus shared with other services in one process (all-in-one mode). */
  readonly bus?: EventBus;
  /** Presence shared with other services in one process; its owner closes it. */
  readonly presence?: Presence;
  /** Where log lines go (stdout when omitted). */
  readonly logDestination?: DestinationStream;
  /** What /metrics serves instead of the process's registry (a cluster worker's aggregate). */
  readonly exposeMetrics?: (registry: Registry) => MetricsExposition;
  /** The NATS connection closed for good: main.ts exits non-zero. */
  readonly onFatal?: (error: Error) => void;
}

/** What a caller may hand a service besides its config: shared parts for the all-in-one mode and tests. */
export interface ServiceOptions {
  /** A bus shared with other services in one process (EVENT_BUS=memory in the all-in-one mode). */
  readonly bus?: EventBus;
  /** Presence shared with other services in one process, along with the memory bus. */
  readonly presence?: Presence;
  /** Where log lines go (stdout when omitted). */
  readonly logDestination?: DestinationStream;
  /** What /metrics serves instead of the process's registry (a cluster worker's aggregate). */
  readonly exposeMetrics?: (registry: Registry) => MetricsExposition;
}

/** Everything a service is built on, opened in order and closed in reverse. */
export interface Runtime {
  readonly config: PlatformConfig;
  readonly log: Logger;
  readonly registry: Registry;
  readonly app: FastifyInstance;
  readonly mongo: MongoHandle;
  readonly nats: NatsHandle | undefined;
  readonly bus: EventBus;
  /** Which service instances are alive (NATS KV, or in memory with the memory bus). */
  readonly presence: Presence;
  /** Resolves with the bus once it is there (the api's connects after it listens). */
  readonly busReady: Promise<EventBus>;
  readonly topology: Topology;
  readonly lifecycle: Lifecycle;
  readonly readiness: Readiness;
  /** The port the HTTP server listens on (useful with port 0). */
  readonly port: number;
  /** The service's work has started: /ready may now answer 200. */
  markStarted(): void;
  stop(reason?: string): Promise<void>;
}

/**
 * Opens a service's shared resources: logger, metrics, the HTTP server with /health,
 * /ready and /metrics (listening first, so liveness answers while dependencies are
 * awaited), MongoDB, NATS with the streams and consumers of SPEC §4, the event bus and
 * the migrations. The caller starts its work, then calls `markStarted()`.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const log = createLogger({
    service: config.service,
    version: config.version,
    environment: config.environment,
    level: config.logLevel,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const registry = createMetricsRegistry(config.service);
  const lifecycle = createLifecycle(log, config.shutdownDelayMs);
  let listening: FastifyInstance | undefined;
  const readiness = createReadiness();
  const topology = options.topology ?? createTopology(config.bus);
  lifecycle.signal.addEventListener('abort', () => readiness.markDraining(), { once: true });

  try {
    const mongo = createMongo({ ...config.mongo, monitorCommands: true }, `orderflow-${config.service}`, log);
    measureMongoCommands(mongo.client, registry);
    lifecycle.onStop('mongo', () => mongo.close());
    readiness.add({ name: 'mongo', required: true, probe: () => mongo.ping(1_500) });

    let nats: NatsHandle | undefined;
    const measured = (bus: EventBus) => measuredBus(bus, registry, topology, log);
    let bus = options.bus && measured(options.bus);
    if (!bus && config.bus.kind === 'memory') {
      bus = measured(createMemoryBus(topology, log));
    }
    registerDependencyHealth(registry, {
      mongo: () => !mongo.knownDown,
      ...(bus ? {} : { nats: () => nats?.isConnected() ?? false }),
    });
    // On NATS, presence starts working once connected; made here, it closes with the runtime.
    const deferredPresence = options.presence || bus ? undefined : createDeferredPresence();
    const presence: Presence = options.presence ?? deferredPresence ?? createMemoryPresence();
    let busArrived: (bus: EventBus) => void = () => {};
    const busReady = new Promise<EventBus>((resolve) => (busArrived = resolve));
    if (bus) busArrived(bus);
    const loggerInstance: FastifyBaseLogger = log;
    const app: FastifyInstance = Fastify({ ...options.http, loggerInstance });
    instrumentHttp(app, registry);
    const base = { config, log, registry, mongo, topology, lifecycle, readiness };
    await options.plugins?.(app);
    const exposition = options.exposeMetrics?.(registry);
    if (exposition?.close) lifecycle.onStop('metrics exposition', () => exposition.close?.());
    registerOpsRoutes(app, {
      service: config.service,
      version: config.version,
      registry,
      readiness,
      ...(exposition ? { metrics: exposition } : {}),
    });
    // The bus may not exist yet (NATS is awaited after listening): routes get it lazily.
    const partial = {
      ...base,
      get nats() {
        return nats;
      },
      get bus(): EventBus {
        if (!bus) throw new Error('the event bus is not connected yet');
        return bus;
      },
      busReady,
      presence,
      port: config.opsPort,
      markStarted: () => readiness.markStarted(),
      stop: (reason?: string) => lifecycle.stop(reason),
    };
    await options.routes?.(app, partial);
    await app.listen({ host: config.host, port: config.opsPort });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.opsPort;
    listening = app;

    if (!bus) {
      lifecycle.onStop('nats', () => nats?.drain());
      readiness.add({
        name: 'nats',
        required: config.service !== 'api',
        probe: () => nats?.isConnected() ?? false,
      });
      const connect = async (): Promise<EventBus> => {
        const connected = await connectNats(config.nats, {
          name: `orderflow-${config.service}`,
          log,
          onFatal: options.onFatal ?? ((error) => void lifecycle.stop(`NATS closed: ${error.message}`)),
        });
        nats = connected;
        await ensureTopology(await jetstreamManager(connected.nc), topology, log);
        bus = measured(createJetStreamBus(connected.nc, topology, log, () => connected.isConnected()));
        deferredPresence?.bind(
          createJetStreamPresence(connected.nc, topology, { log, isConnected: () => connected.isConnected() }),
        );
        busArrived(bus);
        return bus;
      };
      if (config.service === 'api') {
        // The api keeps taking orders without NATS (SPEC §3): they wait in the outbox.
        void connect().catch((error: unknown) =>
          log.error({ err: error, 'event.action': 'nats-setup-failed' }, 'NATS setup failed; publishing deferred'),
        );
      } else {
        await connect();
      }
    }
    if (presence !== options.presence) lifecycle.onStop('presence', () => presence.close());
    lifecycle.onStop('event bus', () => bus?.close());
    // Registered last so it closes first: no request arrives once the drain has begun.
    lifecycle.onStop('http', () => closeHttp(app, Math.floor(config.shutdownTimeoutMs / 2), log));
    listening = undefined;

    if (config.migrateOnStart) await runMigrations(mongo.db, { log });

    // Assigned onto `partial`, not spread: `nats` and `bus` stay getters (the api's bus
    // arrives when NATS does).
    return Object.assign(partial, { app, port });
  } catch (error) {
    await listening?.close();
    await lifecycle.stop('startup failed');
    throw error;
  }
}

/**
 * `orderflow_dependency_up`: 1 while the client's connection to a dependency works, by
 * dependency (`mongo`, and `nats` unless the bus is in-process).
 */
function registerDependencyHealth(registry: Registry, dependencies: Record<string, () => boolean>): void {
  new Gauge({
    name: 'orderflow_dependency_up',
    help: "1 while this process's client of a dependency is connected, else 0",
    labelNames: ['dependency'] as const,
    registers: [registry],
    // Across api workers, one disconnected worker is enough to show.
    aggregator: 'min',
    collect() {
      for (const [dependency, up] of Object.entries(dependencies)) this.set({ dependency }, up() ? 1 : 0);
    },
  });
}

const IDLE_SWEEP_MS = 100;

/**
 * Closes the HTTP server: no new connection, requests in flight finish. Connections that
 * go idle during the close are closed as they do (a keep-alive client that keeps sending
 * would otherwise hold the close open with one 503 after another), and whatever is still
 * open after `graceMs` is cut, so the drain ends inside the shutdown timeout.
 */
async function closeHttp(app: FastifyInstance, graceMs: number, log: Logger): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  const cut = setTimeout(() => {
    log.warn(
      { 'event.action': 'http-connections-cut' },
      `HTTP connections still open after ${graceMs} ms; closing them`,
    );
    app.server.closeAllConnections();
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
