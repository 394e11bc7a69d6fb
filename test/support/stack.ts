import type { Test } from 'tap';
import { loadSimulatorConfig, startSimulator } from '@orderflow/payment-simulator';
import { createMongo } from '@orderflow/platform';
import { uniqueName, type TestServers } from '@orderflow/testkit';
import { startApi } from '../../services/api/src/api.js';
import { loadApiConfig } from '../../services/api/src/config.js';
import { loadProcessorConfig } from '../../services/processor/src/config.js';
import { startProcessor, type ProcessorRuntime } from '../../services/processor/src/processor.js';

const SECRET = 'stack-webhook-secret';
/** A request the stack never answers fails the test after this long instead of hanging it. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface StackOptions {
  /** Variables for every part (e.g. PAYMENT_SUCCESS_RATE, MAX_IN_FLIGHT). */
  readonly env?: Record<string, string>;
  /** Start the processor later with `startProcessor()`. */
  readonly deferProcessor?: boolean;
}

/**
 * The api, the processor and the provider simulator in this process, against real NATS
 * and FerretDB, in a namespace and database of their own.
 */
export async function startStack(t: Test, servers: TestServers, options: StackOptions = {}) {
  const shared = {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NATS_URL: servers.natsUrl,
    MONGO_URL: servers.mongoUrl,
    MONGO_DB: uniqueName('stack'),
    NATS_NAMESPACE: uniqueName(servers.namespace),
    PAYMENT_WEBHOOK_SECRET: SECRET,
    RATE_LIMIT_PER_MIN: '0',
    PAYMENT_DELAY_MS: '0',
    PAYMENT_SETTLE_MS: '100',
    VALIDATION_THREADS: '1',
    ...options.env,
  };
  const api = await startApi(loadApiConfig({ ...shared, PORT: '0' }));
  t.teardown(() => api.stop());
  const base = `http://127.0.0.1:${api.port}`;
  const simulator = await startSimulator(
    loadSimulatorConfig({ ...shared, PORT: '0', PAYMENT_WEBHOOK_URL: `${base}/webhooks/payments` }),
  );
  t.teardown(() => simulator.stop());
  const simulatorBase = `http://127.0.0.1:${simulator.port}`;
  const mongo = createMongo({ url: servers.mongoUrl, db: shared.MONGO_DB, maxPoolSize: 4, timeoutMs: 5_000 }, 'test');
  t.teardown(() => mongo.close());

  let processor: ProcessorRuntime | undefined;
  const launchProcessor = async () => {
    processor = await startProcessor(loadProcessorConfig({ ...shared, OPS_PORT: '0', PAYMENT_URL: simulatorBase }));
    t.teardown(() => processor?.stop());
    return processor;
  };
  if (!options.deferProcessor) await launchProcessor();

  return {
    base,
    simulatorBase,
    db: mongo.db,
    api,
    get processor() {
      return processor;
    },
    startProcessor: launchProcessor,
    async post(path: string, body: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      return { status: response.status, json: (await response.json()) as Record<string, any> };
    },
    async get(path: string) {
      const response = await fetch(base + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return { status: response.status, json: (await response.json()) as Record<string, any> };
    },
    async simulatorStats() {
      return (await (
        await fetch(`${simulatorBase}/stats`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
      ).json()) as Record<string, any>;
    },
    async statusCounts(ids: readonly string[]): Promise<Record<string, number>> {
      const docs = await mongo.db
        .collection<{ _id: string; status: string }>('orders')
        .find({ _id: { $in: [...ids] } }, { projection: { status: 1 } })
        .toArray();
      const counts: Record<string, number> = {};
      for (const doc of docs) counts[doc.status] = (counts[doc.status] ?? 0) + 1;
      return counts;
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
