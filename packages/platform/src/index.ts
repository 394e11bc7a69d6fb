export * from './errors.js';
export * from './config.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { createMetricsRegistry, oncePerScrape, type MetricsExposition, type Registry } from './metrics.js';
export {
  createMongo,
  MONGO_HEARTBEAT_MS,
  type Db,
  type MongoClient,
  type MongoHandle,
  type MongoSettings,
} from './mongo.js';
export { connectNats, type NatsConnection, type NatsHandle, type NatsOptions, type NatsSettings } from './nats.js';
export * from './bus/index.js';
export * from './presence/index.js';
export { createLease, LEASES_COLLECTION, type Lease, type LeaseOptions } from './lease.js';
export { MIGRATIONS, MIGRATIONS_COLLECTION, runMigrations, type Migration, type MigrateOptions } from './migrations.js';
export { createLifecycle, type Lifecycle } from './lifecycle.js';
export { createReadiness, type Readiness, type ReadinessCheck, type ReadinessReport } from './readiness.js';
export { registerOpsRoutes, type OpsRoutesOptions } from './ops-routes.js';
export { startRuntime, type Runtime, type RuntimeOptions, type ServiceOptions } from './runtime.js';
export {
  runClusteredService,
  runService,
  EXIT_CONFIG,
  type ClusteredServiceEntry,
  type RunningService,
  type ServiceEntry,
} from './service-main.js';
export { runCluster, type ClusterOptions, type RunningCluster } from './cluster/run-cluster.js';
export { clusterWorkerMetrics } from './cluster/worker-metrics.js';
export { faultPoints } from './fault-points.js';
export { currentTraceparent, inOrderTrace, inSpan, recordRemoteSpan, type Span } from './telemetry/tracing.js';
export { shutdownTelemetry, startTelemetry, type TelemetryOptions } from './telemetry/telemetry.js';
