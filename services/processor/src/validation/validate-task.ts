import { performance } from 'node:perf_hooks';
import { threadId, workerData } from 'node:worker_threads';
import { prepareSettings, validateOrders, type ValidationSettings, type ValidationTask } from './validate-orders.js';

/** The Piscina task: one batch of orders per call, validated on a pool thread. */
const settings = prepareSettings(workerData as ValidationSettings);

export interface BatchOutcome {
  readonly results: ReturnType<typeof validateOrders>;
  readonly threadId: number;
  /** When the thread started and ended the batch, in epoch milliseconds (for its span and the pool's utilization). */
  readonly startedAt: number;
  readonly endedAt: number;
}

export default function validateBatch(tasks: readonly ValidationTask[]): BatchOutcome {
  const startedAt = performance.timeOrigin + performance.now();
  const results = validateOrders(tasks, settings);
  return { results, threadId, startedAt, endedAt: performance.timeOrigin + performance.now() };
}
