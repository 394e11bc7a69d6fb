/** Provider event types (SPEC §5); `captured` and `declined` are final. */
export const PAYMENT_EVENT_TYPES = [
  'payment.created',
  'payment.authorized',
  'payment.captured',
  'payment.declined',
] as const;
export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];

/** Where an order's payment stands: the last event of its valid sequence. */
export type PaymentState = 'none' | 'created' | 'authorized' | 'captured' | 'declined';

/** One provider event as the webhook delivers it. */
export interface ProviderEvent {
  readonly event_id: string;
  readonly type: PaymentEventType;
  readonly order_id: string;
  /** ISO-8601 on the provider's clock. */
  readonly created_at: string;
  readonly amount_minor?: number | undefined;
  readonly currency?: string | undefined;
}

const NEXT: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  none: ['created'],
  created: ['authorized', 'declined'],
  authorized: ['captured', 'declined'],
  captured: [],
  declined: [],
};

export function isFinalPayment(state: PaymentState): state is 'captured' | 'declined' {
  return state === 'captured' || state === 'declined';
}

export interface PaymentSequence {
  /** Every recorded event, sorted by provider time (then event id, for a total order). */
  readonly events: readonly ProviderEvent[];
  /** Ids of the events on the valid path created → authorized → captured | declined. */
  readonly applied: ReadonlySet<string>;
  readonly state: PaymentState;
}

/**
 * Sequences an order's provider events whatever order they arrived in: duplicates by
 * `event_id` count once, events are sorted by `created_at`, and the payment advances
 * only along the valid path. An event off that path is kept but not applied. A decline
 * straight after `created` is accepted too, as providers decline at authorization.
 */
export function sequencePayment(events: readonly ProviderEvent[]): PaymentSequence {
  const unique = new Map<string, ProviderEvent>();
  for (const event of events) if (!unique.has(event.event_id)) unique.set(event.event_id, event);
  const sorted = [...unique.values()].sort(byProviderTime);
  const applied = new Set<string>();
  let state: PaymentState = 'none';
  for (const event of sorted) {
    const next = stateOf(event.type);
    if (NEXT[state].includes(next)) {
      state = next;
      applied.add(event.event_id);
    }
  }
  return { events: sorted, applied, state };
}

function stateOf(type: PaymentEventType): PaymentState {
  return type.slice('payment.'.length) as PaymentState;
}

const RANK: Readonly<Record<PaymentEventType, number>> = {
  'payment.created': 0,
  'payment.authorized': 1,
  'payment.captured': 2,
  'payment.declined': 2,
};

/** Provider time first; events stamped in the same millisecond fall back to their path order. */
function byProviderTime(a: ProviderEvent, b: ProviderEvent): number {
  const byTime = Date.parse(a.created_at) - Date.parse(b.created_at);
  if (byTime !== 0) return byTime;
  const byRank = RANK[a.type] - RANK[b.type];
  if (byRank !== 0) return byRank;
  // Ids are unique here: duplicates were dropped before sorting.
  return a.event_id < b.event_id ? -1 : 1;
}
