import { threadId, workerData } from 'node:worker_threads';
import { prepareSettings, validateOrders, type ValidationSettings, type ValidationTask } from './validate-orders.js';

/** The Piscina task: one batch of orders per call, validated on a pool thread. */
const settings = prepareSettings(workerData as ValidationSettings);

export default function validateBatch(tasks: readonly ValidationTask[]): {
  results: ReturnType<typeof validateOrders>;
  threadId: number;
} {
  return { results: validateOrders(tasks, settings), threadId };
}
