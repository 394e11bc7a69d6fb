import { Piscina } from 'piscina';
import type { ValidationResult } from '@orderflow/core';
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
 */
export function createValidator(options: {
  readonly threads: number;
  readonly batchMax: number;
  readonly settings: ValidationSettings;
}): Validator {
  const pool = new Piscina({
    filename: taskFile(),
    minThreads: options.threads,
    maxThreads: options.threads,
    workerData: options.settings,
  });
  const threadsUsed = new Set<number>();
  let waiting: Waiting[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, options.batchMax);
      waiting = waiting.slice(options.batchMax);
      pool.run(batch.map((w) => w.task)).then(
        ({ results, threadId }: { results: ValidationResult[]; threadId: number }) => {
          threadsUsed.add(threadId);
          batch.forEach((w, i) => w.resolve(results[i]!));
        },
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      );
    }
  }

  return {
    pool,
    threadsUsed,
    validate(task) {
      return new Promise<ValidationResult>((resolve, reject) => {
        waiting.push({ task, resolve, reject });
        if (waiting.length >= options.batchMax) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      await pool.destroy();
    },
  };
}
