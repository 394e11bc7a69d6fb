import { isTerminal, type NewEvent, type Order, type OrderEvent } from '@orderflow/core';

/** An `order_events` document: `_id` is `<order_id>:<seq>`, the compare-and-set of SPEC §8. */
export interface EventDocument {
  _id: string;
  order_id: string;
  seq: number;
  type: NewEvent['type'];
  at: Date;
  data: NewEvent['data'];
  /** Null until the event is on NATS; the outbox sweep publishes what a crash left. */
  published_at: Date | null;
  /**
   * `true` while `published_at` is null, removed once published: the outbox sweep's
   * query. An equality on a boolean is served by every MongoDB-compatible server (and
   * by a small index), where `published_at: null` makes some scan every event.
   */
  unpublished?: true;
}

/** An `orders` document: the snapshot, with times as dates so they can be queried. */
export type OrderDocument = Omit<Order, 'id' | 'created_at' | 'updated_at' | 'settle_at'> & {
  _id: string;
  created_at: Date;
  updated_at: Date;
  settle_at: Date | null;
  /**
   * Once terminal: milliseconds from creation to the event that ended it, for /stats.
   * A number, not two dates, because `$sum` adds numbers only and the servers we support
   * cannot subtract dates in an aggregation (FerretDB 1.x has no `$subtract`).
   */
  process_time_ms?: number;
};

export const EVENTS = 'order_events';
export const ORDERS = 'orders';

export function toEvent(doc: EventDocument): OrderEvent {
  return {
    order_id: doc.order_id,
    seq: doc.seq,
    type: doc.type,
    at: doc.at.toISOString(),
    data: doc.data,
  } as OrderEvent;
}

export function toEventDocument(event: OrderEvent): EventDocument {
  return {
    _id: `${event.order_id}:${event.seq}`,
    order_id: event.order_id,
    seq: event.seq,
    type: event.type,
    at: new Date(event.at),
    data: event.data,
    published_at: null,
    unpublished: true,
  };
}

export function toOrderDocument(order: Order): OrderDocument {
  const { id, created_at, updated_at, settle_at, ...rest } = order;
  const processTimeMs = processTimeOf(order);
  return {
    ...rest,
    _id: id,
    created_at: new Date(created_at),
    updated_at: new Date(updated_at),
    settle_at: settle_at === null ? null : new Date(settle_at),
    ...(processTimeMs === undefined ? {} : { process_time_ms: processTimeMs }),
  };
}

/**
 * Milliseconds from creation to the first terminal event; undefined while open. Not
 * `updated_at`: an event arriving after the end (a late payment) is recorded and moves it.
 */
export function processTimeOf(order: Pick<Order, 'created_at' | 'history'>): number | undefined {
  const ended = order.history.find((entry) => isTerminal(entry.status));
  return ended === undefined ? undefined : Date.parse(ended.at) - Date.parse(order.created_at);
}

export function toOrder(doc: OrderDocument): Order {
  const { _id, created_at, updated_at, settle_at, process_time_ms: _processTimeMs, ...rest } = doc;
  return {
    ...rest,
    id: _id,
    created_at: created_at.toISOString(),
    updated_at: updated_at.toISOString(),
    settle_at: settle_at === null ? null : settle_at.toISOString(),
  };
}
