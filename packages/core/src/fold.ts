import { STATUS_AFTER, type OrderEvent } from './events.js';
import type { Handling, NewOrder, OrderStatus, RuleFailure } from './order.js';
import { isTerminal } from './order.js';
import { sequencePayment, type PaymentState, type ProviderEvent } from './payment.js';
import { canTransition, IllegalTransitionError } from './state-machine.js';

/** One line of an order's history: every status change and payment event, by seq. */
export interface HistoryEntry {
  readonly seq: number;
  readonly at: string;
  readonly type: OrderEvent['type'];
  /** Status after the event. */
  readonly status: OrderStatus;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The snapshot of an order: the fold of its events, stored in `orders` for reads. */
export interface Order extends NewOrder {
  readonly status: OrderStatus;
  readonly status_reason: string | null;
  readonly reasons: readonly RuleFailure[];
  readonly handling: Handling | null;
  readonly risk_score: number | null;
  readonly payment: {
    readonly state: PaymentState;
    /** Provider events recorded while the order was open, sorted by provider time. */
    readonly events: readonly (ProviderEvent & { readonly applied: boolean })[];
  };
  /** When a final payment settles the order, unless another provider event comes first. */
  readonly settle_at: string | null;
  readonly request_hash: string;
  /** W3C `traceparent` of the creating request, when it was traced (SPEC §9: one trace per order). */
  readonly trace?: string;
  readonly created_at: string;
  readonly updated_at: string;
  /** The seq of the last event: increments on every change. */
  readonly version: number;
  readonly history: readonly HistoryEntry[];
}

/** Folds an order's events (in seq order, starting at 1) into its snapshot. */
export function foldOrder(events: readonly OrderEvent[]): Order | undefined {
  let order: Order | undefined;
  for (const event of events) order = applyEvent(order, event);
  return order;
}

/**
 * Applies one event to a snapshot. A gap in seq or a status change the state machine
 * forbids means the history is corrupt, and throws.
 */
export function applyEvent(order: Order | undefined, event: OrderEvent): Order {
  const expectedSeq = (order?.version ?? 0) + 1;
  if (event.seq !== expectedSeq) {
    throw new Error(`event ${event.order_id}:${event.seq} follows version ${order?.version ?? 0}`);
  }
  const to = STATUS_AFTER[event.type];
  if (to !== undefined && !canTransition(order?.status, to)) throw new IllegalTransitionError(order?.status, to);
  if (event.type === 'order.created') {
    return {
      ...event.data.order,
      status: 'pending',
      status_reason: null,
      reasons: [],
      handling: null,
      risk_score: null,
      payment: { state: 'none', events: [] },
      settle_at: null,
      request_hash: event.data.request_hash,
      ...(event.data.trace === undefined ? {} : { trace: event.data.trace }),
      created_at: event.at,
      updated_at: event.at,
      version: event.seq,
      history: [{ seq: event.seq, at: event.at, type: event.type, status: 'pending', details: {} }],
    };
  }
  if (!order) throw new IllegalTransitionError(undefined, to ?? 'pending');
  const next = nextState(order, event);
  return {
    ...next,
    updated_at: event.at,
    version: event.seq,
    history: [
      ...order.history,
      { seq: event.seq, at: event.at, type: event.type, status: next.status, details: detailsOf(event) },
    ],
  };
}

function nextState(order: Order, event: Exclude<OrderEvent, { type: 'order.created' }>): Order {
  switch (event.type) {
    case 'order.processing':
      return {
        ...order,
        status: 'processing',
        handling: event.data.handling,
        risk_score: event.data.risk_score,
      };
    case 'order.rejected':
      return {
        ...order,
        status: 'rejected',
        status_reason: event.data.reasons.map((r) => r.message).join('; '),
        reasons: event.data.reasons,
        risk_score: event.data.risk_score,
      };
    case 'order.payment': {
      // A terminal order records the event in its history and changes nothing else.
      if (isTerminal(order.status)) return order;
      const recorded = [...order.payment.events, event.data.event];
      const sequence = sequencePayment(recorded);
      return {
        ...order,
        payment: {
          state: sequence.state,
          events: sequence.events.map((e) => ({ ...e, applied: sequence.applied.has(e.event_id) })),
        },
        settle_at: event.data.settle_at,
      };
    }
    case 'order.completed':
      return { ...order, status: 'completed', status_reason: event.data.reason, settle_at: null };
    case 'order.failed':
      return { ...order, status: 'failed', status_reason: event.data.reason, settle_at: null };
    case 'order.expired':
      return { ...order, status: 'expired', status_reason: event.data.reason, settle_at: null };
    case 'order.cancelled':
      return { ...order, status: 'cancelled', status_reason: event.data.reason, settle_at: null };
  }
}

function detailsOf(event: Exclude<OrderEvent, { type: 'order.created' }>): Record<string, unknown> {
  switch (event.type) {
    case 'order.payment': {
      const { event: provider, applied, reason, payment_state, settle_at } = event.data;
      return {
        event_id: provider.event_id,
        payment_type: provider.type,
        provider_created_at: provider.created_at,
        applied,
        reason,
        payment_state,
        settle_at,
      };
    }
    default:
      return { ...event.data };
  }
}
