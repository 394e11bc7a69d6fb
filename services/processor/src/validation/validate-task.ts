import { performance } from 'node:perf_hooks';
import { threadId, workerData } from 'node:worker_threads';
import type { ValidationResult } from '@orderflow/core';
import { prepareSettings, validateOrders, type ValidationSettings, type ValidationTask } from './validate-orders.js';

/** The Piscina task: one batch of orders per call, validated on a pool thread. */
const settings = prepareSettings(workerData as ValidationSettings);

/** One order of a batch, with the W3C `traceparent` of the validation it belongs to. */
export interface TracedTask {
  readonly task: ValidationTask;
  readonly traceparent: string | undefined;
}

export interface TaskOutcome {
  readonly result: ValidationResult;
  /** When this thread started and ended the order, in epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The context the order came with, handed back for the span of its part. */
  readonly traceparent: string | undefined;
}

export interface BatchOutcome {
  readonly outcomes: readonly TaskOutcome[];
  readonly threadId: number;
}

const now = () => performance.timeOrigin + performance.now();

export default function validateBatch(batch: readonly TracedTask[]): BatchOutcome {
  const outcomes = batch.map(({ task, traceparent }) => {
    const startedAt = now();
    const [result] = validateOrders([task], settings);
    return { result: result!, startedAt, endedAt: now(), traceparent };
  });
  return { outcomes, threadId };
}
