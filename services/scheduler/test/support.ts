import { eventually as pollWithDeadline } from '@orderflow/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { NewOrder, OrderEvent } from '@orderflow/core';
import { createOrderStore, EVENTS } from '@orderflow/event-store';
import type { BusMessage, Registry } from '@orderflow/platform';
import { uniqueName, type TestServers } from '@orderflow/testkit';
import { loadSchedulerConfig } from '../src/config.js';
import { startScheduler, type SchedulerRuntime } from '../src/scheduler.js';

/** The repository root, where child processes run from. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** One system's names on the shared servers: a database and a NATS namespace of its own. */
export interface TestSystem {
  readonly servers: TestServers;
  readonly dbName: string;
  readonly namespace: string;
}

/** Fresh database and namespace, so tests sharing the servers never see each other's orders. */
export function newSystem(servers: TestServers): TestSystem {
  return { servers, dbName: uniqueName('sched'), namespace: uniqueName(servers.namespace) };
}

/** The environment a scheduler of `system` runs with, plus `env`. */
export function systemEnv(system: TestSystem, env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    OPS_PORT: '0',
    LOG_LEVEL: 'silent',
    NATS_URL: system.servers.natsUrl,
    MONGO_URL: system.servers.mongoUrl,
    MONGO_DB: system.dbName,
    NATS_NAMESPACE: system.namespace,
    ...env,
  };
}

/** Starts a scheduler in this process; it is stopped (lease released) at teardown. */
export async function startTestScheduler(
  t: Test,
  system: TestSystem,
  env: Record<string, string> = {},
): Promise<SchedulerRuntime> {
  const runtime = await startScheduler(loadSchedulerConfig(systemEnv(system, env)));
  t.teardown(() => runtime.stop('test over'));
  return runtime;
}

/** A store writing to the scheduler's database and bus, as the api and processor would. */
export function storeOf(runtime: SchedulerRuntime, bus = runtime.bus) {
  return createOrderStore({ db: runtime.mongo.db, bus, log: runtime.log, source: 'test' });
}

/** A new order in the normal lane. */
export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id: uniqueName('o'),
    customer_id: 'c1',
    items: [{ sku: 'sku-1', quantity: 1, unit_price_minor: 1_000 }],
    total_minor: 1_000,
    currency: 'USD',
    priority: 2,
    lane: 'normal',
    created_by: 'c1',
    ...overrides,
  };
}

/** Stored event documents of one order, in seq order. */
export async function storedEvents(runtime: SchedulerRuntime, orderId: string) {
  return runtime.mongo.db
    .collection<{ _id: string; type: OrderEvent['type']; seq: number; published_at: Date | null }>(EVENTS)
    .find({ order_id: orderId })
    .sort({ seq: 1 })
    .toArray();
}

/** Polls with a deadline (15 s by default here: these tests run whole services). */
export function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  return pollWithDeadline(what, probe, timeoutMs, intervalMs);
}

/** The value of a metric's series whose labels include `labels` (0 when it has none yet). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const series = values.find((value) =>
    Object.entries(labels).every(([key, wanted]) => (value.labels as Record<string, unknown>)[key] === wanted),
  );
  return series?.value ?? 0;
}

/** Collects the messages of a durable consumer through the runtime's bus. */
export function collect(t: Test, runtime: SchedulerRuntime, durable: string): BusMessage[] {
  const received: BusMessage[] = [];
  const consumption = runtime.bus.consume(durable, async (message) => void received.push(message));
  t.teardown(() => consumption.stop(1_000));
  return received;
}

/** A service's main.ts run from source in a child process, as `npm start` runs its build. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `services/<service>/src/main.ts`; it is killed at teardown if still running. */
export function startServiceProcess(t: Test, service: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=orderflow-source', '--import', 'tsx', `services/${service}/src/main.ts`],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, exited, stderr: () => stderr };
}
