import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { Gauge, Histogram } from 'prom-client';
import type { ValidationResult } from '@orderflow/core';
import { currentTraceparent, inSpan, recordRemoteSpan, type Registry } from '@orderflow/platform';
import type { BatchOutcome, TaskOutcome } from './validate-task.js';
import type { ValidationSettings, ValidationTask } from './validate-orders.js';

export interface Validator {
  /** Validates one order on a pool thread, batched with whatever else arrives in the same turn. */
  validate(task: ValidationTask): Promise<ValidationResult>;
  /** Threads that ran batches (for tests and metrics). */
  readonly threadsUsed: ReadonlySet<number>;
  readonly pool: Piscina;
  close(): Promise<void>;
}

interface Waiting {
  readonly task: ValidationTask;
  /** The validation span's context, carried into the pool task. */
  readonly traceparent: string | undefined;
  readonly resolve: (result: ValidationResult) => void;
  readonly reject: (error: unknown) => void;
}

/** The task file next to this one, in source (.ts) or built (.js) form. */
function taskFile(): string {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./validate-task${extension}`, import.meta.url).href;
}

/**
 * A Piscina pool validating orders off the event loop. Orders arriving together are sent
 * as one task (up to `batchMax`), so the pool's fixed cost per task is shared.
 *
 * Each order's validation is a span of the order's trace (the consumer's); its context
 * goes into the pool task with the order, and comes back with the thread's own timing
 * of that order, for the child span of the pool's part. With a registry it reports
 * `orderflow_validation_duration_seconds` (by result), and the pool's
 * `orderflow_validation_pool_utilization` and `orderflow_validation_pool_queue_size`.
 */
export function createValidator(options: {
  readonly threads: number;
  readonly batchMax: number;
  readonly settings: ValidationSettings;
  readonly registry?: Registry;
}): Validator {
  const pool = new Piscina({
    filename: taskFile(),
    minThreads: options.threads,
    maxThreads: options.threads,
    workerData: options.settings,
  });
  const threadsUsed = new Set<number>();
  const metrics = options.registry ? validationMetrics(options.registry, options.threads, pool) : undefined;
  let waiting: Waiting[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, options.batchMax);
      waiting = waiting.slice(options.batchMax);
      pool.run(batch.map((w) => ({ task: w.task, traceparent: w.traceparent }))).then(
        ({ outcomes, threadId }: BatchOutcome) => {
          threadsUsed.add(threadId);
          outcomes.forEach((outcome, i) => {
            metrics?.busy(outcome.endedAt - outcome.startedAt);
            recordTaskSpan(outcome, threadId, batch.length);
            batch[i]!.resolve(outcome.result);
          });
        },
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      );
    }
  }

  return {
    pool,
    threadsUsed,
    validate(task) {
      const started = performance.now();
      return inSpan('validate order', { attributes: { 'order.id': task.order.id } }, async (span) => {
        try {
          const result = await new Promise<ValidationResult>((resolve, reject) => {
            waiting.push({ task, traceparent: currentTraceparent(), resolve, reject });
            if (waiting.length >= options.batchMax) flush();
            else if (!scheduled) {
              scheduled = true;
              setImmediate(flush);
            }
          });
          const accepted = result.failures.length === 0;
          span.setAttributes({ 'orderflow.validation.accepted': accepted, 'orderflow.risk_score': result.risk_score });
          metrics?.observe(accepted ? 'accepted' : 'rejected', started);
          return result;
        } catch (error) {
          metrics?.observe('error', started);
          throw error;
        }
      });
    },
    async close() {
      await pool.destroy();
    },
  };
}

/** The pool thread's part of one order's validation, as the thread timed it, in the context the task carried. */
function recordTaskSpan(outcome: TaskOutcome, threadId: number, batchSize: number): void {
  recordRemoteSpan(outcome.traceparent, 'validation task', outcome.startedAt, outcome.endedAt, {
    'thread.id': threadId,
    'orderflow.validation.batch_size': batchSize,
  });
}

function validationMetrics(registry: Registry, threads: number, pool: Piscina) {
  const registers = [registry];
  const duration = new Histogram({
    name: 'orderflow_validation_duration_seconds',
    help: 'Time to validate one order in the pool, queueing included, by result (accepted, rejected, error)',
    labelNames: ['result'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  let busyMs = 0;
  let since = performance.now();
  new Gauge({
    name: 'orderflow_validation_pool_utilization',
    help: 'Share of the pool threads\u2019 time spent validating since the previous scrape (0 to 1)',
    registers,
    collect() {
      const now = performance.now();
      const capacity = (now - since) * threads;
      this.set(capacity > 0 ? Math.min(1, busyMs / capacity) : 0);
      busyMs = 0;
      since = now;
    },
  });
  new Gauge({
    name: 'orderflow_validation_pool_queue_size',
    help: 'Pool tasks (batches of orders) waiting for a free thread',
    registers,
    collect() {
      this.set(pool.queueSize);
    },
  });
  for (const result of ['accepted', 'rejected', 'error']) duration.zero({ result });
  return {
    busy: (ms: number) => (busyMs += Math.max(0, ms)),
    observe: (result: string, startedMs: number) =>
      duration.observe({ result }, (performance.now() - startedMs) / 1_000),
  };
}
