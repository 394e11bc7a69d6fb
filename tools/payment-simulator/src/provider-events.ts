import { deterministicUuid, digest, uniformFrom } from './random.js';

/** Event types a payment provider sends (SPEC: captured and declined are final). */
export type ProviderEventType = 'payment.created' | 'payment.authorized' | 'payment.captured' | 'payment.declined';

/** What the simulator decided for a payment after its delay. */
export type PaymentOutcome = 'approved' | 'declined' | 'no_answer';

/** One webhook body, exactly as sent. */
export interface ProviderEvent {
  readonly event_id: string;
  readonly type: ProviderEventType;
  readonly order_id: string;
  /** ISO-8601 with milliseconds, on the provider's clock. */
  readonly created_at: string;
  readonly amount: number;
  readonly currency: string;
}

/** The payment as requested by the processor. */
export interface PaymentRequest {
  readonly order_id: string;
  readonly amount: number;
  readonly currency: string;
}

const EVENTS_BY_OUTCOME: Readonly<Record<PaymentOutcome, readonly ProviderEventType[]>> = {
  approved: ['payment.created', 'payment.authorized', 'payment.captured'],
  declined: ['payment.created', 'payment.authorized', 'payment.declined'],
  no_answer: [],
};

/**
 * Approves with probability `successRate`, declines with `declineRate`, otherwise never
 * answers. The draw depends only on (seed, order id), so the same order gets the same
 * outcome in every run with that seed, whatever else is going on.
 */
export function decideOutcome(seed: number, orderId: string, successRate: number, declineRate: number): PaymentOutcome {
  const u = uniformFrom(seed, orderId, 'outcome');
  if (u < successRate) return 'approved';
  if (u < successRate + declineRate) return 'declined';
  return 'no_answer';
}

/**
 * The webhooks of a decided payment. `decidedAtMs` is the provider's clock; each event
 * is 1 ms after the previous one, so `created_at` is strictly increasing within a
 * payment and receivers can order events that arrive shuffled.
 */
export function buildEvents(
  seed: number,
  request: PaymentRequest,
  outcome: PaymentOutcome,
  decidedAtMs: number,
): ProviderEvent[] {
  return EVENTS_BY_OUTCOME[outcome].map((type, index) => ({
    event_id: deterministicUuid(seed, request.order_id, type),
    type,
    order_id: request.order_id,
    created_at: new Date(decidedAtMs + index).toISOString(),
    amount: request.amount,
    currency: request.currency,
  }));
}

/** The provider's id of the payment of `orderId`; stable across restarts with one seed. */
export function paymentIdFor(seed: number, orderId: string): string {
  return `pay_${digest(seed, orderId, 'payment').toString('hex').slice(0, 24)}`;
}
