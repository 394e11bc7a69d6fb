import type { OrderStore } from '@orderflow/event-store';

export interface OutboxSweepDeps {
  readonly store: OrderStore;
  /** Only events unpublished for longer than this: younger ones are still being published by their writer. */
  readonly olderThanMs: number;
  readonly batchSize: number;
}

/**
 * Publishes what a crash between append and publish left behind (SPEC §8), each order's
 * events in seq order, batch after batch while batches come back full. Returns how many
 * events were published.
 */
export async function sweepOutbox(deps: OutboxSweepDeps, keepGoing: () => boolean): Promise<number> {
  let published = 0;
  while (keepGoing()) {
    const count = await deps.store.publishUnpublished(deps.olderThanMs, deps.batchSize);
    published += count;
    // A short batch means the backlog is empty, or publishing failed and the next tick retries.
    if (count < deps.batchSize) break;
  }
  return published;
}
