import type { Handling, Lane, NewOrder, OrderStatus, RuleFailure } from './order.js';
import type { PaymentState, ProviderEvent } from './payment.js';

/** What each event type carries (stored in `order_events.data`, published as `data`). */
export interface EventDataByType {
  'order.created': {
    readonly order: NewOrder;
    readonly request_hash: string;
    /** W3C `traceparent` of the request that created the order: later work joins its trace. */
    readonly trace?: string;
  };
  'order.processing': { readonly handling: Handling; readonly risk_score: number };
  'order.rejected': { readonly reasons: readonly RuleFailure[]; readonly risk_score: number | null };
  'order.payment': {
    readonly event: ProviderEvent;
    readonly applied: boolean;
    readonly reason: string;
    readonly payment_state: PaymentState;
    readonly settle_at: string | null;
  };
  'order.completed': { readonly reason: string };
  'order.failed': { readonly reason: string };
  'order.expired': { readonly reason: string };
  'order.cancelled': { readonly reason: string; readonly by: string };
}

export type OrderEventType = keyof EventDataByType;

export const ORDER_EVENT_TYPES: readonly OrderEventType[] = [
  'order.created',
  'order.processing',
  'order.rejected',
  'order.payment',
  'order.completed',
  'order.failed',
  'order.expired',
  'order.cancelled',
];

/** An event to append: its type and data, before the store gives it a seq and a time. */
export type NewEvent = {
  [T in OrderEventType]: { readonly type: T; readonly data: EventDataByType[T] };
}[OrderEventType];

/** One stored change of an order: `_id` is `<order_id>:<seq>` in `order_events`. */
export type OrderEvent = NewEvent & {
  readonly order_id: string;
  readonly seq: number;
  /** ISO-8601 time of the append. */
  readonly at: string;
};

/** The status an event moves its order to; `order.payment` moves none. */
export const STATUS_AFTER: Readonly<Record<OrderEventType, OrderStatus | undefined>> = {
  'order.created': 'pending',
  'order.processing': 'processing',
  'order.rejected': 'rejected',
  'order.payment': undefined,
  'order.completed': 'completed',
  'order.failed': 'failed',
  'order.expired': 'expired',
  'order.cancelled': 'cancelled',
};

/** `"<order_id>:<seq>"`: the event's `_id`, its `Nats-Msg-Id` and its envelope id. */
export function eventId(orderId: string, seq: number): string {
  return `${orderId}:${seq}`;
}

/** Splits an event id back into order id and seq; undefined when it is not one. */
export function parseEventId(id: string): { orderId: string; seq: number } | undefined {
  const colon = id.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const seq = Number(id.slice(colon + 1));
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { orderId: id.slice(0, colon), seq };
}

/** The NATS subject of an event (SPEC §4): new orders go to their lane. */
export function subjectOf(type: OrderEventType, lane: Lane): string {
  return type === 'order.created' ? `order.created.${lane}` : type;
}

/** The JSON envelope published for every event (SPEC §4). */
export interface EventEnvelope {
  readonly id: string;
  readonly type: OrderEventType;
  readonly version: 1;
  readonly time: string;
  readonly order_id: string;
  readonly source: string;
  readonly data: unknown;
}

export function envelopeOf(event: OrderEvent, source: string): EventEnvelope {
  return {
    id: eventId(event.order_id, event.seq),
    type: event.type,
    version: 1,
    time: event.at,
    order_id: event.order_id,
    source,
    data: event.data,
  };
}
