import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { createMongo } from '@orderflow/platform';
import { freePort, startMongo, startNats, startTcpProxy, uniqueName } from '@orderflow/testkit';
import { Load } from './load.js';
import { pauseFor } from './random.js';
import { startReaper } from './reaper.js';
import { faultScale } from './scale.js';
import { ServiceProcess, type ProcessName } from './service-process.js';

/** One mail as the notifier's log sender wrote it. */
export interface MailLine {
  readonly customerId: string;
  readonly orderId: string;
  readonly status: string;
}

export interface SystemOptions {
  /** Names the scenario: prefix of its database and NATS namespace. */
  readonly scenario: string;
  /** Variables for every process, over the harness defaults below. */
  readonly env?: Record<string, string>;
  /** Variables of one process's first run only, e.g. `{ api: { ORDERFLOW_FAULT_POINT: 'after-append' } }`. */
  readonly firstRun?: Partial<Record<ProcessName, Record<string, string>>>;
  /** Routes the processor's payment requests through a TCP proxy (latency, blackhole, reset). */
  readonly proxyPayments?: boolean;
}

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WEBHOOK_SECRET = 'faults-webhook-secret';
const MAIL = /Email sent to customer (\S+) for Order #(\S+) - Status: (\w+)/;

/** Quick enough for a test, otherwise the shipped defaults (retries and back-off included). */
const DEFAULTS: Record<string, string> = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MIN: '0',
  VALIDATION_THREADS: '1',
  PAYMENT_SUCCESS_RATE: '1',
  PAYMENT_DELAY_MS: '0',
  PAYMENT_SETTLE_MS: '200',
  ORDER_TTL_MS: String(faultScale().orderTtlMs),
  EXPIRY_INTERVAL_MS: '5000',
  OUTBOX_SWEEP_MS: '1000',
  SWEEP_INTERVAL_MS: '500',
  LEASE_TTL_MS: '3000',
  ACK_WAIT_MS: '5000',
  PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
  // The scenarios kill, crash and restart the api as one process; in a cluster its
  // primary would replace a crashed worker instead (services/api/test/cluster.test.ts).
  API_WORKERS: '1',
};

const ENTRIES: Readonly<Record<ProcessName, string>> = {
  simulator: 'tools/payment-simulator/src/main.ts',
  api: 'services/api/src/main.ts',
  processor: 'services/processor/src/main.ts',
  notifier: 'services/notifier/src/main.ts',
  scheduler: 'services/scheduler/src/main.ts',
};

/** Processes in start order; the simulator first, so payments never find it missing. */
export const PROCESS_NAMES: readonly ProcessName[] = ['simulator', 'api', 'processor', 'notifier', 'scheduler'];
export const SERVICE_NAMES = ['api', 'processor', 'notifier', 'scheduler'] as const;

/**
 * The whole system for one scenario, as real processes: nats-server and FerretDB of its
 * own (so they can be killed), the payment simulator and the four services from source,
 * each restartable, on free ports, in a fresh database and namespace. `stop()` (also the
 * test's teardown) ends every process; a watchdog does it if the test process dies.
 */
export async function startSystem(t: Test, options: SystemOptions) {
  const own: NodeJS.ProcessEnv = { ...process.env };
  delete own.NATS_URL;
  delete own.MONGO_URL;
  const [nats, mongo] = await Promise.all([startNats({ env: own }), startMongo({ env: own })]);
  const reaper = startReaper();
  const names = { MONGO_DB: uniqueName(options.scenario), NATS_NAMESPACE: uniqueName(options.scenario) };
  const ports = Object.fromEntries(
    await Promise.all(PROCESS_NAMES.map(async (name) => [name, await freePort()] as const)),
  ) as Record<ProcessName, number>;
  const shared: Record<string, string> = {
    ...DEFAULTS,
    ...names,
    NATS_URL: nats.url,
    MONGO_URL: mongo.url,
    PAYMENT_URL: `http://127.0.0.1:${ports.simulator}`,
    PAYMENT_WEBHOOK_URL: `http://127.0.0.1:${ports.api}/webhooks/payments`,
    ...options.env,
  };
  const paymentProxy = options.proxyPayments
    ? await startTcpProxy({ host: '127.0.0.1', port: ports.simulator })
    : undefined;
  const mails: MailLine[] = [];
  const decisions = new Map<string, string>();
  const processes = Object.fromEntries(
    PROCESS_NAMES.map((name) => {
      const port = ports[name];
      const env = {
        ...childEnv(),
        ...shared,
        ...(name === 'api' || name === 'simulator' ? { PORT: String(port) } : { OPS_PORT: String(port) }),
        // Mails and payment decisions are info lines the checker reads.
        ...(name === 'notifier' || name === 'simulator' ? { LOG_LEVEL: 'info' } : {}),
        ...(name === 'processor' && paymentProxy
          ? { PAYMENT_URL: `http://${paymentProxy.host}:${paymentProxy.port}` }
          : {}),
      };
      const onLine = (line: string) => {
        if (name === 'notifier') readMail(line, mails);
        if (name === 'simulator') readDecision(line, decisions);
      };
      const probePath = name === 'simulator' ? '/health' : '/ready';
      return [
        name,
        new ServiceProcess({ name, entry: ENTRIES[name], root: ROOT, env, port, probePath, reaper, onLine }),
      ];
    }),
  ) as Record<ProcessName, ServiceProcess>;
  const client = createMongo({ url: mongo.url, db: names.MONGO_DB, maxPoolSize: 4, timeoutMs: 5_000 }, 'faults');

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all(Object.values(processes).map((p) => p.stop(5_000)));
      await client.close().catch(() => undefined);
      await paymentProxy?.close();
      await Promise.all([nats.stop(), mongo.stop()]);
      reaper.close();
    })());
  t.teardown(async () => {
    if (!t.passing()) process.stderr.write(`${tails(processes)}\n`);
    await stop();
  });

  for (const name of PROCESS_NAMES) processes[name].launch(options.firstRun?.[name] ?? {});
  await Promise.all(PROCESS_NAMES.map((name) => processes[name].waitUp(120_000)));

  const apiBase = processes.api.base;
  const mailsSeen: readonly MailLine[] = mails;
  const decisionsSeen: ReadonlyMap<string, string> = decisions;
  return {
    scenario: options.scenario,
    nats,
    mongo,
    namespace: names.NATS_NAMESPACE,
    dbName: names.MONGO_DB,
    env: shared,
    orderTtlMs: Number(shared.ORDER_TTL_MS),
    expiryIntervalMs: Number(shared.EXPIRY_INTERVAL_MS),
    db: client.db,
    /** Between the processor and the provider, when `proxyPayments` was asked for. */
    paymentProxy,
    ...processes,
    processes,
    /** Mails the notifier logged, across all its runs. */
    mails: mailsSeen,
    /** The simulator's decision (approved, declined, no_answer) per order id. */
    decisions: decisionsSeen,
    apiBase,
    /** A client sending `count` orders, `concurrency` (2) at a time, spread over about `spreadOverMs`. */
    load(prefix: string, count: number, spread: { spreadOverMs: number; concurrency?: number }): Load {
      const concurrency = spread.concurrency ?? 2;
      const pauseMs = pauseFor(count, concurrency, spread.spreadOverMs);
      return new Load({ apiBase: () => apiBase, prefix, count, concurrency, pauseMs });
    },
    async get(path: string, base = apiBase) {
      const response = await fetch(base + path, { signal: AbortSignal.timeout(10_000) });
      return { status: response.status, json: (await response.json()) as Record<string, any> };
    },
    async simulatorStats(): Promise<Record<string, any>> {
      return (await (await fetch(`${processes.simulator.base}/stats`)).json()) as Record<string, any>;
    },
    /** Every process's last lines, for failure messages. */
    tails: () => tails(processes),
    stop,
  };
}

export type FaultSystem = Awaited<ReturnType<typeof startSystem>>;

/** The test process's environment without tap's coverage hooks: services run as deployed. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('TAP') || key.startsWith('_TAPJS')) continue;
    if (key === 'ORDERFLOW_FAULT_POINT') continue;
    env[key] = value;
  }
  return env;
}

function messageOf(line: string): Record<string, any> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    return undefined;
  }
}

function readMail(line: string, mails: MailLine[]): void {
  if (!line.includes('Email sent to customer')) return;
  const match = MAIL.exec(String(messageOf(line)?.message ?? line));
  if (match) mails.push({ customerId: match[1]!, orderId: match[2]!, status: match[3]! });
}

function readDecision(line: string, decisions: Map<string, string>): void {
  if (!line.includes('payment-decided')) return;
  const payment = messageOf(line)?.payment as { order_id?: string; outcome?: string } | undefined;
  if (payment?.order_id && payment.outcome) decisions.set(payment.order_id, payment.outcome);
}

function tails(processes: Record<ProcessName, ServiceProcess>): string {
  return PROCESS_NAMES.map((name) => processes[name].tail()).join('\n');
}
