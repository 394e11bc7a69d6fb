import { eventually as pollWithDeadline } from '@orderflow/testkit';
import type { Test } from 'tap';
import {
  decideCancel,
  decideExpire,
  decidePayment,
  decideSettle,
  decideValidation,
  type Decision,
  type NewOrder,
  type Order,
  type OrderEvent,
  type PaymentEventType,
  type TerminalStatus,
} from '@orderflow/core';
import { createOrderStore, type OrderStore } from '@orderflow/event-store';
import {
  createLogger,
  createTopology,
  loadPlatformConfig,
  readDeadLetter,
  startRuntime,
  type DeadLetter,
  type EventBus,
  type Runtime,
} from '@orderflow/platform';
import { uniqueName, type TestServers } from '@orderflow/testkit';
import { loadNotifierConfig } from '../src/config.js';
import type { Email, EmailSender } from '../src/domain/email-sender.js';
import { startNotifier, type NotifierOptions } from '../src/notifier.js';

export const silentLog = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });

/** A namespace and database of one test, so its consumers and records are its own. */
export interface Deployment {
  readonly servers: TestServers;
  readonly namespace: string;
  readonly dbName: string;
}

export function newDeployment(servers: TestServers): Deployment {
  return { servers, namespace: uniqueName(servers.namespace), dbName: uniqueName('notifier') };
}

/** The environment of a service of `deployment`, on free ports, with quick retries. */
export function deploymentEnv(deployment: Deployment, env: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    OPS_PORT: '0',
    LOG_LEVEL: 'info',
    NATS_URL: deployment.servers.natsUrl,
    MONGO_URL: deployment.servers.mongoUrl,
    MONGO_DB: deployment.dbName,
    NATS_NAMESPACE: deployment.namespace,
    RETRY_BACKOFF_MS: '50,50',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...env,
  };
}

/** Parsed log lines of a service, as written (one ECS JSON object per line). */
export interface CapturedLog {
  readonly lines: Record<string, any>[];
  readonly destination: NonNullable<NotifierOptions['logDestination']>;
  /** The `Email sent to customer …` lines. */
  mailLines(): Record<string, any>[];
}

export function captureLog(): CapturedLog {
  const lines: Record<string, any>[] = [];
  return {
    lines,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, any>) },
    mailLines: () => lines.filter((line) => line['event.action'] === 'email-sent'),
  };
}

/** Starts a notifier of `deployment` in this process; it stops when the test ends. */
export async function startTestNotifier(
  t: Test,
  deployment: Deployment,
  options: { env?: Record<string, string>; log?: CapturedLog; emailSender?: EmailSender } = {},
): Promise<Runtime> {
  // Without a capture, lines would land in the TAP output.
  const quiet: Record<string, string> = options.log ? {} : { LOG_LEVEL: 'silent' };
  const config = loadNotifierConfig(deploymentEnv(deployment, { ...quiet, ...options.env }));
  const runtime = await startNotifier(config, undefined, {
    ...(options.log ? { logDestination: options.log.destination } : {}),
    ...(options.emailSender ? { emailSender: options.emailSender } : {}),
  });
  t.teardown(() => runtime.stop('test over'));
  return runtime;
}

/** The event store as the other services use it, publishing through `bus`. */
export function orderStoreOf(runtime: Pick<Runtime, 'mongo'>, bus: EventBus): OrderStore {
  return createOrderStore({ db: runtime.mongo.db, bus, log: silentLog, source: 'test' });
}

let orderCounter = 0;

/** A new pending order, stored (and published) through `store`. */
export async function createOrder(store: OrderStore, overrides: Partial<NewOrder> = {}): Promise<Order> {
  const id = overrides.id ?? `o-${process.pid}-${Date.now().toString(36)}-${++orderCounter}`;
  const customerId = overrides.customer_id ?? `cust-${orderCounter}`;
  const result = await store.create(
    {
      id,
      customer_id: customerId,
      items: [{ sku: 'sku-1', quantity: 2, unit_price_minor: 1_275 }],
      total_minor: 2_550,
      currency: 'USD',
      priority: 2,
      lane: 'normal',
      created_by: `user-${orderCounter}`,
      ...overrides,
    },
    `hash-${id}`,
  );
  if (!result.created) throw new Error(`order ${id} exists already`);
  return result.order;
}

/**
 * Moves a pending order to `status` the way the services do, with the domain's decide
 * functions; the store publishes every event, the terminal one included. Returns the
 * terminal event.
 */
export async function moveTo(store: OrderStore, orderId: string, status: TerminalStatus): Promise<OrderEvent> {
  const step = async (decide: (order: Order) => Decision): Promise<OrderEvent> => {
    const result = await store.decide(orderId, decide);
    if (result.outcome !== 'appended') throw new Error(`deciding on ${orderId}: ${result.outcome}`);
    return result.event;
  };
  const pay = (type: PaymentEventType, n: number) =>
    step((order) =>
      decidePayment(
        order,
        {
          event_id: `${orderId}-pay-${n}`,
          type,
          order_id: orderId,
          created_at: new Date(Date.now() + n).toISOString(),
        },
        Date.now(),
        0,
      ),
    );
  switch (status) {
    case 'cancelled':
      return step((order) => decideCancel(order, { reason: 'changed my mind', by: order.created_by }));
    case 'expired':
      return step((order) => decideExpire(order, Date.parse(order.updated_at) + 1, 0));
    case 'rejected':
      return step((order) =>
        decideValidation(order, {
          failures: [
            { rule: 'total_max', message: 'total exceeds 10000.00' },
            { rule: 'risk', message: 'risk score 0.97 is at or above 0.85' },
          ],
          handling: 'standard',
          risk_score: 0.97,
        }),
      );
    case 'completed':
    case 'failed': {
      await step((order) => decideValidation(order, { failures: [], handling: 'standard', risk_score: 0.1 }));
      await pay('payment.created', 1);
      await pay('payment.authorized', 2);
      await pay(status === 'completed' ? 'payment.captured' : 'payment.declined', 3);
      return step((order) => decideSettle(order, Date.now() + 1_000));
    }
  }
}

/**
 * Collects what lands in `DLQ` of `deployment`, through a consumer of its own (the
 * notifier's topology has none on DLQ).
 */
export async function watchDeadLetters(t: Test, deployment: Deployment): Promise<DeadLetter[]> {
  const config = loadPlatformConfig(
    'notifier',
    deploymentEnv(deployment, { LOG_LEVEL: 'silent', MIGRATE_ON_START: 'false' }),
  );
  const topology = createTopology(config.bus, [
    { durable: 'test-dead-letters', stream: 'DLQ', filterSubject: 'dlq.>' },
  ]);
  const runtime = await startRuntime({ config, topology });
  t.teardown(() => runtime.stop('test over'));
  const letters: DeadLetter[] = [];
  const consumption = runtime.bus.consume('test-dead-letters', async (message) => {
    letters.push(readDeadLetter(message));
  });
  t.teardown(() => consumption.stop(0));
  return letters;
}

/** The notification records of `orderId`, oldest first. */
export async function recordsOf(runtime: Pick<Runtime, 'mongo'>, orderId: string): Promise<Record<string, any>[]> {
  return runtime.mongo.db.collection('notifications').find({ order_id: orderId }).sort({ created_at: 1 }).toArray();
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

/** Waits until every message of `durable` has been delivered and settled. */
export async function settled(bus: EventBus, durable: string): Promise<void> {
  await eventually(`${durable} to settle every message`, async () => {
    const backlog = await bus.backlog(durable);
    return backlog.pending === 0 && backlog.ackPending === 0;
  });
}

/** An EmailSender that records what it was given and fails its first `failures` sends. */
export function scriptedSender(
  failures: number,
  error = 'SMTP 451 temporary failure',
): EmailSender & { sent: Email[]; calls: number } {
  const sender = {
    name: 'scripted',
    sent: [] as Email[],
    calls: 0,
    recipientOf: (order: Pick<Order, 'customer_id'>) => order.customer_id,
    send(email: Email) {
      sender.calls++;
      if (sender.calls <= failures) return Promise.reject(new Error(`${error} (call ${sender.calls})`));
      sender.sent.push(email);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return sender;
}
