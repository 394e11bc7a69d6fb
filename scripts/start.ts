/**
 * `npm start`: the whole system on this machine. NATS and a MongoDB-compatible server
 * come from NATS_URL / MONGO_URL or are started here with their data under .data/; then
 * the migrations, the payment provider simulator and the four services run as separate
 * processes with prefixed output. Ctrl-C or SIGTERM stops everything.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createLogger, createMongo, runMigrations } from '@orderflow/platform';
import { stackPoolSize, startMongo, startNats, type ServerHandle } from '@orderflow/testkit';
import { portOr, waitReady } from './local/ports.js';
import { startProcess, stopAll, type Managed } from './local/processes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const output = { raw: env.LOG_FORMAT === 'json', color: process.stdout.isTTY };
const say = (line: string) => process.stdout.write(`${'local'.padEnd(10)}│ ${line}\n`);

/** `--from-source` runs the TypeScript sources (no build needed), as the end-to-end test does. */
const fromSource = process.argv.includes('--from-source');
const entryOf = (dir: string) => (fromSource ? `${root}${dir}/src/main.ts` : `${root}${dir}/dist/main.js`);
// Telemetry starts before each service loads (SPEC §9): spans, and trace ids in logs.
const telemetry = ['--import', '@orderflow/platform/register'];
const nodeArgs = fromSource ? ['--conditions=orderflow-source', '--import', 'tsx', ...telemetry] : telemetry;

const STARTUP_TIMEOUT_MS = 120_000;

const SERVICES = [
  { name: 'api', dir: 'services/api', portVariable: 'PORT', port: Number(env.PORT ?? 8080) },
  {
    name: 'processor',
    dir: 'services/processor',
    portVariable: 'OPS_PORT',
    port: Number(env.PROCESSOR_OPS_PORT ?? 9101),
  },
  { name: 'notifier', dir: 'services/notifier', portVariable: 'OPS_PORT', port: Number(env.NOTIFIER_OPS_PORT ?? 9102) },
  {
    name: 'scheduler',
    dir: 'services/scheduler',
    portVariable: 'OPS_PORT',
    port: Number(env.SCHEDULER_OPS_PORT ?? 9103),
  },
] as const;

const servers: ServerHandle[] = [];
const processes: Managed[] = [];
let stopping = false;

async function shutdown(reason: string, code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  say(`stopping (${reason})…`);
  await stopAll(processes, 15_000);
  await Promise.all(servers.map((s) => s.stop()));
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

async function main(): Promise<void> {
  const dataDir = env.LOCAL_DATA_DIR ?? `${root}.data`;
  await mkdir(dataDir, { recursive: true });
  const log = (line: string) => say(line);
  const nats = await startNats({ dataDir: `${dataDir}/nats`, port: await portOr(4222), log });
  servers.push(nats);
  const mongo = await startMongo({ dataDir: `${dataDir}/ferretdb`, port: await portOr(27017), log });
  servers.push(mongo);

  const apiPort = SERVICES[0].port;
  const simulatorPort = Number(env.SIMULATOR_PORT ?? 8090);
  // On the FerretDB started here, pools the services together cannot deadlock it with.
  const poolSize = mongo.external ? undefined : stackPoolSize(env);
  const shared: NodeJS.ProcessEnv = {
    ...env,
    ...(poolSize === undefined ? {} : { MONGO_MAX_POOL_SIZE: poolSize }),
    NATS_URL: nats.url,
    MONGO_URL: mongo.url,
    PAYMENT_URL: env.PAYMENT_URL ?? `http://127.0.0.1:${simulatorPort}`,
    PAYMENT_WEBHOOK_URL: env.PAYMENT_WEBHOOK_URL ?? `http://127.0.0.1:${apiPort}/webhooks/payments`,
  };
  delete shared.OPS_PORT;

  const migrateLog = createLogger({ service: 'migrate', version: '0', environment: 'development', level: 'warn' });
  const db = createMongo(
    { url: mongo.url, db: env.MONGO_DB ?? 'orderflow', maxPoolSize: 2, timeoutMs: 10_000 },
    'local',
  );
  const applied = await runMigrations(db.db, { log: migrateLog });
  await db.close();
  say(applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'database is up to date');

  const simulatorEnv = { ...shared, PORT: String(simulatorPort) };
  processes.push(startProcess('simulator', 5, nodeArgs, entryOf('tools/payment-simulator'), simulatorEnv, output));
  SERVICES.forEach((service, i) => {
    const serviceEnv = { ...shared, [service.portVariable]: String(service.port) };
    processes.push(startProcess(service.name, i, nodeArgs, entryOf(service.dir), serviceEnv, output));
  });
  for (const p of processes) {
    void p.exited.then((code) => {
      if (!stopping) void shutdown(`${p.name} exited with ${code}`, 1);
    });
  }

  // Five processes start at once, each loading its telemetry SDK first (and, from source,
  // compiling TypeScript): on a small, busy machine that takes a while.
  await waitReady(`http://127.0.0.1:${simulatorPort}/health`, STARTUP_TIMEOUT_MS);
  for (const service of SERVICES) await waitReady(`http://127.0.0.1:${service.port}/ready`, STARTUP_TIMEOUT_MS);

  const lines = [
    `api          http://localhost:${apiPort}  (POST /orders, GET /orders, /health, /ready, /metrics)`,
    ...SERVICES.slice(1).map((s) => `${s.name.padEnd(12)} http://localhost:${s.port}/ready`),
    `simulator    http://localhost:${simulatorPort}/stats  (PAYMENT_SUCCESS_RATE=${env.PAYMENT_SUCCESS_RATE ?? '0.5'}, PAYMENT_DELAY_MS=${env.PAYMENT_DELAY_MS ?? '5000'})`,
    `nats         ${nats.url}${nats.external ? ' (external)' : ''}`,
    `mongodb      ${mongo.url}${mongo.external ? ' (external)' : ''}`,
    'ready — try `npm run demo` in another terminal; Ctrl-C stops everything',
  ];
  for (const line of lines) say(line);
}

main().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown('startup failed', 1);
});
