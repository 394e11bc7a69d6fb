import { readFile } from 'node:fs/promises';
import { LANES, parseRiskModel } from '@orderflow/core';
import { createOrderMetrics, createOrderStore, ORDERS } from '@orderflow/event-store';
import { faultPoints, startRuntime, type Runtime, type ServiceOptions } from '@orderflow/platform';
import type { ProcessorConfig } from './config.js';
import { createLaneScheduler, type LaneScheduler } from './domain/lane-scheduler.js';
import { createSettler } from './domain/settler.js';
import { createOrderHandler } from './entry-points/order-consumer.js';
import { createPaymentHandler } from './entry-points/payment-consumer.js';
import { createPaymentClient } from './payments/payment-client.js';
import { createValidator, type Validator } from './validation/validator.js';

export interface ProcessorRuntime extends Runtime {
  readonly validator: Validator;
  readonly scheduler: LaneScheduler;
}

/**
 * Starts the processor (SPEC §1, §2, §5): new orders by priority lane, validated in a
 * Piscina pool, then paid; provider events sequenced and settled.
 */
export async function startProcessor(
  config: ProcessorConfig,
  onFatal?: (error: Error) => void,
  options: ServiceOptions = {},
): Promise<ProcessorRuntime> {
  const startedAt = new Date();
  const riskModel = await loadRiskModel(config.riskModelPath);
  const runtime = await startRuntime({ config, ...options, ...(onFatal ? { onFatal } : {}) });
  const { mongo, bus, log, lifecycle } = runtime;

  const faultPoint = faultPoints(config.faultPoint);
  const store = createOrderStore({
    db: mongo.db,
    metrics: createOrderMetrics(runtime.registry),
    bus,
    log,
    source: 'processor',
    batching: config.batching,
    ...(faultPoint ? { faultPoint } : {}),
  });
  // Registered before the work that appends, so it runs after that work has stopped.
  lifecycle.onStop('outbox publishes', () => store.settled());
  const validator = createValidator({
    threads: config.validationThreads,
    // BATCHING=off: one pool task per message, the baseline's cost.
    batchMax: config.batching ? config.validationBatchMax : 1,
    settings: { riskModel, limits: config.rules, priorityThresholdMinor: config.priorityThresholdMinor },
    registry: runtime.registry,
  });
  lifecycle.onStop('validation pool', () => validator.close());
  const payments = createPaymentClient(config.payment);
  lifecycle.onStop('payment client', () => payments.close());
  const settler = createSettler(store, log);
  lifecycle.onStop('settlement timers', () => settler.stop());
  const scheduler = createLaneScheduler({
    weights: config.laneWeights,
    maxInFlight: config.maxInFlight,
    // Well inside the ack wait, so progress always arrives before the server gives up.
    heartbeatMs: Math.max(100, Math.floor(config.bus.ackWaitMs / 3)),
  });

  const deps = { db: mongo.db, store, validator, payments, scheduler, log, faultPoint };
  const consumptions = [
    ...LANES.map((lane) =>
      bus.consume(`processor-${lane}`, createOrderHandler(lane, deps), { concurrency: config.maxInFlight }),
    ),
    bus.consume(
      'processor-payments',
      createPaymentHandler({ store, settler, settleMs: config.payment.settleMs, log }),
      { concurrency: config.maxInFlight },
    ),
  ];
  const graceMs = Math.floor(config.shutdownTimeoutMs * 0.6);
  lifecycle.onStop('consumers', () => Promise.all(consumptions.map((c) => c.stop(graceMs))).then(() => undefined));

  // Settlement timers do not survive a restart; settle_at is stored, so pick them up again.
  const open = await mongo.db
    .collection<{ _id: string; settle_at: Date | null }>(ORDERS)
    .find({ status: 'processing', settle_at: { $ne: null } }, { projection: { settle_at: 1 } })
    .toArray();
  for (const order of open) if (order.settle_at) settler.schedule(order._id, order.settle_at.toISOString());

  // Counted in /stats `active_workers` while alive; withdrawn first on stop, so a draining
  // instance no longer counts.
  const presence = runtime.presence.announce({ kind: 'processor', threads: config.validationThreads, startedAt });
  lifecycle.onStop('presence', () => presence.withdraw());
  runtime.markStarted();
  return { ...runtime, validator, scheduler };
}

async function loadRiskModel(path: string): Promise<unknown> {
  try {
    const json: unknown = JSON.parse(await readFile(path, 'utf8'));
    parseRiskModel(json);
    return json;
  } catch (error) {
    throw new Error(`RISK_MODEL_PATH: cannot use ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
