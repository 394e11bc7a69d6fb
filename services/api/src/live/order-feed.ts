import { parseEventId, STATUS_AFTER, type OrderEvent, type OrderEventType } from '@orderflow/core';
import type { EventBus, LiveMessage, Logger, Watch } from '@orderflow/platform';

/** Someone watching orders live: an SSE client. */
export interface FeedListener {
  /** An order event as it is published. */
  event(event: OrderEvent): void;
  /** Live delivery (re)started: events may have been missed; read the store again. */
  reset(): void;
}

export interface OrderFeed {
  /** Listens to one order's events; returns the way to stop. */
  follow(orderId: string, listener: FeedListener): () => void;
  /** Listens to every status change of every order. */
  followAll(listener: FeedListener): () => void;
  /** Listeners now: per order and of every order. */
  size(): number;
  /** Stops watching; listeners get nothing more. */
  close(): Promise<void>;
}

/**
 * The api process's one live subscription to order events (`order.>` on the bus), fanned
 * out to any number of listeners by order id. The watch starts when the bus is there,
 * so streams opened before NATS is connected get their events once it is (with a reset,
 * so they read the store for what came before).
 */
export function createOrderFeed(options: { readonly bus: Promise<EventBus>; readonly log: Logger }): OrderFeed {
  const { log } = options;
  const byOrder = new Map<string, Set<FeedListener>>();
  const everyOrder = new Set<FeedListener>();
  let closed = false;
  let watch: Watch | undefined;

  const started = options.bus.then((bus) => {
    if (closed) return;
    watch = bus.watch('order.>', {
      message: (message) => {
        const event = toOrderEvent(message);
        if (!event) {
          log.warn({ 'event.action': 'feed-undecodable' }, `an order event on ${message.subject} could not be read`);
          return;
        }
        for (const listener of byOrder.get(event.order_id) ?? []) listener.event(event);
        if (STATUS_AFTER[event.type] !== undefined) for (const listener of everyOrder) listener.event(event);
      },
      reset: () => {
        for (const listeners of byOrder.values()) for (const listener of listeners) listener.reset();
        for (const listener of everyOrder) listener.reset();
      },
    });
  });

  return {
    follow(orderId, listener) {
      let listeners = byOrder.get(orderId);
      if (!listeners) byOrder.set(orderId, (listeners = new Set()));
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && byOrder.get(orderId) === listeners) byOrder.delete(orderId);
      };
    },
    followAll(listener) {
      everyOrder.add(listener);
      return () => everyOrder.delete(listener);
    },
    size() {
      let count = everyOrder.size;
      for (const listeners of byOrder.values()) count += listeners.size;
      return count;
    },
    async close() {
      closed = true;
      byOrder.clear();
      everyOrder.clear();
      // A bus that never arrived leaves nothing to close.
      await Promise.race([started, Promise.resolve()]);
      await watch?.close();
    },
  };
}

/** An order event from its published envelope (SPEC §4), or undefined if it is not one. */
function toOrderEvent(message: LiveMessage): OrderEvent | undefined {
  let envelope: unknown;
  try {
    envelope = message.json();
  } catch {
    return undefined;
  }
  if (typeof envelope !== 'object' || envelope === null) return undefined;
  const { id, type, time, order_id, data } = envelope as Record<string, unknown>;
  if (typeof id !== 'string' || typeof type !== 'string' || typeof time !== 'string') return undefined;
  if (!(type in STATUS_AFTER)) return undefined;
  const parsed = parseEventId(id);
  if (!parsed || parsed.orderId !== order_id) return undefined;
  return { order_id: parsed.orderId, seq: parsed.seq, type: type as OrderEventType, at: time, data } as OrderEvent;
}
