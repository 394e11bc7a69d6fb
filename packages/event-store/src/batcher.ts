/** One item's outcome in a batch: its value, or the error that item alone failed with. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface BatcherOptions<I, O> {
  /** Off: every item runs as a batch of one, at once (the benchmark's baseline). */
  readonly enabled: boolean;
  /** Items per batch at most. */
  readonly maxSize: number;
  /** Batches running at once; while they run, the next one gathers. */
  readonly maxInFlight: number;
  /**
   * Runs one batch and settles each item, in order. A rejection fails every item of the
   * batch with that error (the server could not be reached, say).
   */
  readonly run: (items: readonly I[]) => Promise<readonly Settled<O>[]>;
  /**
   * Whether a batch's rejection also fails the items waiting for a slot. For "the server
   * cannot be reached": they would wait for the batches ahead of them only to meet it too.
   * Nothing of theirs was sent, so failing them changes nothing.
   */
  readonly failsWaiting?: (error: unknown) => boolean;
}

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while earlier batches are at the server are sent
 * together as the next batch, so under load one command carries many items and at low
 * load an item waits for nothing but the current event-loop turn. No timer is involved:
 * the size of a batch follows the arrival rate and the server's response time. Each
 * caller is answered with its own item's outcome, once its batch is done.
 */
export function createBatcher<I, O>(options: BatcherOptions<I, O>): (item: I) => Promise<O> {
  const { run } = options;
  if (!options.enabled) {
    return async (item) => {
      const [settled] = await run([item]);
      if (!settled) throw new Error('batch returned no outcome');
      if (settled.ok) return settled.value;
      throw settled.error;
    };
  }
  let queue: Waiting<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight < options.maxInFlight) {
      const batch = queue.length <= options.maxSize ? queue : queue.slice(0, options.maxSize);
      queue = queue.length <= options.maxSize ? [] : queue.slice(options.maxSize);
      inFlight++;
      void runBatch(batch);
    }
  }

  async function runBatch(batch: readonly Waiting<I, O>[]): Promise<void> {
    try {
      const outcomes = await run(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, i) => {
        const outcome = outcomes[i];
        if (!outcome) waiting.reject(new Error('batch returned no outcome for an item'));
        else if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome.error);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      if (options.failsWaiting?.(error)) {
        const waiting = queue;
        queue = [];
        for (const item of waiting) item.reject(error);
      }
    } finally {
      inFlight--;
      flush();
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (scheduled || inFlight >= options.maxInFlight) return;
      // Whatever else is submitted in this turn joins the batch.
      scheduled = true;
      setImmediate(flush);
    });
}
