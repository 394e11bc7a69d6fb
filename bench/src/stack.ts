import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createMongo, createTopology, runMigrations, type Topology } from '@orderflow/platform';
import { freePort, stackPoolSize, startMongo, startNats, type ServerHandle } from '@orderflow/testkit';
import { spawnService, stopServices, type ServiceProcess } from './service-process.js';
import type { MeasuredProcess } from './proc.js';
import { backendsOf } from './proc-stat.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;

/** Which storage the MongoDB-compatible server used. */
export type StoreBackend = 'sqlite' | 'postgresql' | 'external' | 'unknown';

/** The whole system for one run, started by `startStack`. */
export interface Stack {
  readonly label: string;
  readonly apiUrl: string;
  readonly natsUrl: string;
  readonly mongoUrl: string;
  readonly mongoDb: string;
  readonly topology: Topology;
  readonly backend: StoreBackend;
  /** Why that backend: the testkit's own line. */
  readonly backendNote: string;
  /**
   * Variables the stack set on top of `extraEnv`: MONGO_MAX_POOL_SIZE on a FerretDB it
   * started, so that the services together cannot deadlock it (testkit `stackPoolSize`).
   */
  readonly storeEnv: Readonly<Record<string, string>>;
  readonly natsExternal: boolean;
  readonly mongoExternal: boolean;
  /** Where every process writes its output. */
  readonly logDir: string;
  /** name → /metrics of the api and the ops port of the other services. */
  readonly metricsUrls: Readonly<Record<string, string>>;
  /** Every process to measure now (servers without a pid, i.e. external, are left out). */
  processes(): MeasuredProcess[];
  /** A service that exited while the stack was up, if any. */
  crashed(): string | undefined;
  /** Keep the logs (with the servers' own logs copied next to them) when the stack stops. */
  keepLogs(why: string): void;
  /** SIGTERM everything, SIGKILL after 15 s, stop the servers. Idempotent. */
  stop(): Promise<void>;
}

/** What one stack is started with. */
export interface StackOptions {
  readonly label: string;
  /** Given to every service on top of the bench's own settings, e.g. `{ BATCHING: 'off' }`. */
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
  /** CPU profiles of every service go under `<dir>/<label>/<service>/`. */
  readonly cpuProfileDir?: string | undefined;
}

const SERVICES = [
  { name: 'api', dir: 'services/api', portVariable: 'PORT' },
  { name: 'processor', dir: 'services/processor', portVariable: 'OPS_PORT' },
  { name: 'notifier', dir: 'services/notifier', portVariable: 'OPS_PORT' },
  { name: 'scheduler', dir: 'services/scheduler', portVariable: 'OPS_PORT' },
] as const;

/**
 * Starts NATS and FerretDB (SQLite unless FERRETDB_BACKEND says otherwise; both honour
 * NATS_URL / MONGO_URL), runs the migrations, then the payment simulator and the four
 * services from their dist/ builds on free ports, and waits until each one is ready.
 * A failed start stops whatever did start and shows the end of the failing log.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { label, log } = options;
  const logDir = await mkdtemp(join(tmpdir(), `orderflow-bench-${label}-`));
  const servers: ServerHandle[] = [];
  const services: ServiceProcess[] = [];
  let stopped = false;
  let crash: string | undefined;
  let keepWhy: string | undefined;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopServices(services, STOP_GRACE_MS);
    if (keepWhy !== undefined || crash !== undefined) await copyServerLogs(servers, logDir);
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  };

  try {
    // FerretDB on PostgreSQL when the server is usable (testkit's `auto`), else SQLite: on
    // SQLite every lookup parses each stored document's JSON, and the store would be all
    // the bench measures (docs/performance.md).
    const serverEnv: NodeJS.ProcessEnv = { ...process.env, FERRETDB_BACKEND: process.env.FERRETDB_BACKEND ?? 'auto' };
    let backendNote = '';
    const serverLog = (line: string) => {
      if (line.startsWith('ferretdb:') && line.includes('backend')) backendNote = line;
    };
    const nats = await startNats({ env: serverEnv, log: serverLog });
    servers.push(nats);
    const mongo = await startMongo({ env: serverEnv, log: serverLog });
    servers.push(mongo);
    const backend: StoreBackend = mongo.external
      ? 'external'
      : /PostgreSQL backend/.test(backendNote)
        ? 'postgresql'
        : /SQLite backend/.test(backendNote)
          ? 'sqlite'
          : 'unknown';
    const postgresDb = backend === 'postgresql' ? /database (\S+) on/.exec(backendNote)?.[1] : undefined;
    log(`${label}: nats ${nats.url}${nats.external ? ' (external)' : ''}, mongodb ${mongo.url} (${backend})`);

    const mongoDb = `bench_${label}_${randomUUID().slice(0, 8)}`.replace(/[^A-Za-z0-9_-]/g, '_');
    // With a shared NATS server, a namespace of our own keeps other systems' streams apart.
    const namespace = nats.external ? `bench-${randomUUID().slice(0, 8)}` : process.env.NATS_NAMESPACE;
    const migrateLog = createLogger({ service: 'migrate', version: '0', environment: 'development', level: 'warn' });
    const db = createMongo({ url: mongo.url, db: mongoDb, maxPoolSize: 2, timeoutMs: 10_000 }, 'bench');
    await runMigrations(db.db, { log: migrateLog });
    await db.close();

    const ports = { simulator: await freePort(), api: await freePort() };
    const poolSize = mongo.external ? undefined : stackPoolSize({ ...process.env, ...options.extraEnv });
    const storeEnv: Record<string, string> = poolSize === undefined ? {} : { MONGO_MAX_POOL_SIZE: poolSize };
    if (poolSize !== undefined) log(`${label}: MONGO_MAX_POOL_SIZE=${poolSize} per process, within FerretDB's pool`);
    const shared: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: nats.url,
      MONGO_URL: mongo.url,
      MONGO_DB: mongoDb,
      LOG_LEVEL: 'warn',
      PAYMENT_DELAY_MS: '0',
      PAYMENT_SETTLE_MS: '0',
      PAYMENT_SUCCESS_RATE: '1',
      // The bench is one client sending thousands of orders a second from one address.
      RATE_LIMIT_PER_MIN: '0',
      SSE_MAX_PER_IP: '100',
      PAYMENT_URL: `http://127.0.0.1:${ports.simulator}`,
      PAYMENT_WEBHOOK_URL: `http://127.0.0.1:${ports.api}/webhooks/payments`,
      ...(namespace === undefined ? {} : { NATS_NAMESPACE: namespace }),
      ...options.extraEnv,
      ...storeEnv,
    };
    delete shared.OPS_PORT;
    delete shared.PORT;

    const spawnIn = (name: string, dir: string, env: NodeJS.ProcessEnv) => {
      const logFile = join(logDir, `${name}.log`);
      const cpuProfileDir = options.cpuProfileDir === undefined ? undefined : join(options.cpuProfileDir, label, name);
      const entry = join(root, dir, 'dist/main.js');
      const service = spawnService({ name, entry, env, logFile, cwd: root, cpuProfileDir });
      services.push(service);
      void service.exited.then((code) => {
        if (!stopped && crash === undefined) crash = `${name} exited with ${code}`;
      });
      return service;
    };
    const readyUrls: { service: ServiceProcess; url: string }[] = [];
    const simulator = spawnIn('simulator', 'tools/payment-simulator', { ...shared, PORT: String(ports.simulator) });
    readyUrls.push({ service: simulator, url: `http://127.0.0.1:${ports.simulator}/health` });
    const metricsUrls: Record<string, string> = {};
    for (const spec of SERVICES) {
      const port = spec.name === 'api' ? ports.api : await freePort();
      const service = spawnIn(spec.name, spec.dir, { ...shared, [spec.portVariable]: String(port) });
      readyUrls.push({ service, url: `http://127.0.0.1:${port}/ready` });
      metricsUrls[spec.name] = `http://127.0.0.1:${port}/metrics`;
    }
    for (const { service, url } of readyUrls) await service.waitReady(url, STARTUP_TIMEOUT_MS);
    log(`${label}: simulator and ${SERVICES.length} services ready (logs in ${logDir})`);

    serverNames.set(nats, 'nats-server');
    serverNames.set(mongo, 'ferretdb');
    return {
      label,
      apiUrl: `http://127.0.0.1:${ports.api}`,
      natsUrl: nats.url,
      mongoUrl: mongo.url,
      mongoDb,
      topology: createTopology(busSettingsFor(namespace)),
      backend,
      backendNote,
      storeEnv,
      natsExternal: nats.external,
      mongoExternal: mongo.external,
      logDir,
      metricsUrls,
      processes() {
        const measured: MeasuredProcess[] = [];
        for (const service of services) {
          if (service.child.pid !== undefined) measured.push({ name: service.name, pid: service.child.pid });
        }
        if (nats.pid !== undefined) measured.push({ name: 'nats-server', pid: nats.pid });
        if (mongo.pid !== undefined) measured.push({ name: 'ferretdb', pid: mongo.pid });
        if (postgresDb !== undefined) measured.push({ name: 'postgresql', pid: 0, cmdline: backendsOf(postgresDb) });
        return measured;
      },
      crashed: () => crash,
      keepLogs(why) {
        keepWhy ??= why;
      },
      async stop() {
        await stop();
        if (crash === undefined && keepWhy === undefined) await rm(logDir, { recursive: true, force: true });
        else log(`${label}: logs kept in ${logDir} (${crash ?? keepWhy})`);
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const serverNames = new WeakMap<ServerHandle, string>();

/** Copies each server's own `server.log` into the run's log dir before its temp dir goes. */
async function copyServerLogs(servers: readonly ServerHandle[], logDir: string): Promise<void> {
  for (const server of servers) {
    if (server.dataDir === undefined) continue;
    const name = serverNames.get(server) ?? 'server';
    await copyFile(join(server.dataDir, 'server.log'), join(logDir, `${name}.server.log`)).catch(() => undefined);
  }
}

/** The topology needs only the namespace; the rest of the bus settings do not change names. */
function busSettingsFor(namespace: string | undefined): Parameters<typeof createTopology>[0] {
  return {
    kind: 'jetstream',
    namespace,
    replicas: 1,
    maxAgeMs: 0,
    duplicateWindowMs: 0,
    maxDeliver: 1,
    backoffMs: [],
    ackWaitMs: 0,
  };
}
