import { decideSettle } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import type { Logger } from '@orderflow/platform';

/**
 * Settles orders when their `settle_at` comes (SPEC §5). Timers are only a fast path:
 * `settle_at` is stored, so after a crash the scheduler settles what is overdue.
 */
export function createSettler(store: OrderStore, log: Logger) {
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  async function settle(orderId: string): Promise<void> {
    timers.delete(orderId);
    if (stopped) return;
    try {
      const result = await store.decide(orderId, (order) => decideSettle(order, Date.now()));
      if (result.outcome === 'noop' && result.order.status === 'processing' && result.order.settle_at) {
        schedule(orderId, result.order.settle_at);
      }
    } catch (error) {
      log.warn({ err: error, 'order.id': orderId }, 'settling failed; the scheduler will settle it when overdue');
    }
  }

  function schedule(orderId: string, settleAt: string): void {
    if (stopped) return;
    clearTimeout(timers.get(orderId));
    const delayMs = Math.max(0, Date.parse(settleAt) - Date.now());
    timers.set(
      orderId,
      setTimeout(() => void settle(orderId), delayMs),
    );
  }

  return {
    schedule,
    get pending(): number {
      return timers.size;
    },
    stop(): void {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type Settler = ReturnType<typeof createSettler>;
