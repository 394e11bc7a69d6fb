/**
 * `npm run start:all-in-one`: the four services and the payment simulator in ONE process,
 * for demos and small machines. With EVENT_BUS=memory they share an in-process event bus
 * and no NATS server is needed; otherwise NATS is used as in `npm start`. MongoDB comes
 * from MONGO_URL or is started here with its data under .data/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadSimulatorConfig, startSimulator } from '@orderflow/payment-simulator';
import { createMemoryBus, createMemoryPresence, createTopology, type ServiceOptions } from '@orderflow/platform';
import { startMongo, startNats, type ServerHandle } from '@orderflow/testkit';
import { startApi } from '../services/api/src/api.js';
import { loadApiConfig } from '../services/api/src/config.js';
import { loadNotifierConfig } from '../services/notifier/src/config.js';
import { startNotifier } from '../services/notifier/src/notifier.js';
import { loadProcessorConfig } from '../services/processor/src/config.js';
import { startProcessor } from '../services/processor/src/processor.js';
import { loadSchedulerConfig } from '../services/scheduler/src/config.js';
import { startScheduler } from '../services/scheduler/src/scheduler.js';
import { portOr } from './local/ports.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const say = (line: string) => process.stderr.write(`all-in-one │ ${line}\n`);
const stoppers: (() => Promise<void>)[] = [];
let stopping = false;

async function shutdown(reason: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`stopping (${reason})…`);
  for (const stop of stoppers.reverse()) await stop().catch((error: unknown) => say(String(error)));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

async function main(): Promise<void> {
  const dataDir = env.LOCAL_DATA_DIR ?? `${root}.data`;
  await mkdir(dataDir, { recursive: true });
  const memory = env.EVENT_BUS === 'memory';
  const servers: ServerHandle[] = [];
  stoppers.push(() => Promise.all(servers.map((s) => s.stop())).then(() => undefined));
  const mongo = await startMongo({ dataDir: `${dataDir}/ferretdb`, port: await portOr(27017), log: say });
  servers.push(mongo);
  const nats = memory ? undefined : await startNats({ dataDir: `${dataDir}/nats`, port: await portOr(4222), log: say });
  if (nats) servers.push(nats);

  const apiPort = Number(env.PORT ?? 8080);
  const simulatorPort = Number(env.SIMULATOR_PORT ?? 8090);
  const shared: Record<string, string | undefined> = {
    ...env,
    MONGO_URL: mongo.url,
    ...(nats ? { NATS_URL: nats.url } : {}),
    PAYMENT_URL: env.PAYMENT_URL ?? `http://127.0.0.1:${simulatorPort}`,
    PAYMENT_WEBHOOK_URL: env.PAYMENT_WEBHOOK_URL ?? `http://127.0.0.1:${apiPort}/webhooks/payments`,
  };
  delete shared.OPS_PORT;

  const apiConfig = loadApiConfig({ ...shared, PORT: String(apiPort) });
  // One bus and one presence for all four, so /stats sees the processor.
  const options: ServiceOptions = memory
    ? { bus: createMemoryBus(createTopology(apiConfig.bus)), presence: createMemoryPresence() }
    : {};
  const simulator = await startSimulator(loadSimulatorConfig({ ...shared, PORT: String(simulatorPort) }));
  stoppers.push(() => simulator.stop());
  const api = await startApi(apiConfig, undefined, options);
  stoppers.push(() => api.stop());
  const processor = await startProcessor(
    loadProcessorConfig({ ...shared, OPS_PORT: env.PROCESSOR_OPS_PORT ?? '9101' }),
    undefined,
    options,
  );
  stoppers.push(() => processor.stop());
  const notifier = await startNotifier(
    loadNotifierConfig({ ...shared, OPS_PORT: env.NOTIFIER_OPS_PORT ?? '9102' }),
    undefined,
    options,
  );
  stoppers.push(() => notifier.stop());
  const scheduler = await startScheduler(
    loadSchedulerConfig({ ...shared, OPS_PORT: env.SCHEDULER_OPS_PORT ?? '9103' }),
    undefined,
    options,
  );
  stoppers.push(() => scheduler.stop());

  say(`api http://localhost:${api.port}   simulator http://localhost:${simulator.port}/stats`);
  say(`event bus: ${memory ? 'in memory (EVENT_BUS=memory)' : (nats?.url ?? '')}   mongodb: ${mongo.url}`);
  say('ready — try `npm run demo` in another terminal; Ctrl-C stops everything');
}

main().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown('startup failed', 1);
});
