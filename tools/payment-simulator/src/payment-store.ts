import type { PlannedDelivery } from './chaos.js';
import { paymentIdFor, type PaymentOutcome, type PaymentRequest, type ProviderEvent } from './provider-events.js';

/** Delivery state of one webhook POST (an event, or its chaos duplicate). */
export interface WebhookDelivery {
  readonly event_id: string;
  readonly type: ProviderEvent['type'];
  readonly copy: number;
  readonly extra_delay_ms: number;
  attempts: number;
  delivered: boolean;
  /** Given up after the last allowed attempt. */
  abandoned: boolean;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

/** A payment as the simulator tracks it; `GET /payments/:id` shows it as is. */
export interface Payment extends PaymentRequest {
  readonly payment_id: string;
  status: 'pending' | 'decided';
  outcome: PaymentOutcome | null;
  readonly requested_at: string;
  decided_at: string | null;
  events: readonly ProviderEvent[];
  webhooks: readonly WebhookDelivery[];
}

/** What `create` did with a request. */
export type CreateResult =
  | { readonly kind: 'created'; readonly payment: Payment }
  | { readonly kind: 'repeat'; readonly payment: Payment }
  | { readonly kind: 'conflict'; readonly payment: Payment };

/** Counts for `GET /stats`. */
export interface SimulatorStats {
  /** `requests`: every payment request answered 200/202/409, repeats included; the rest per payment. */
  readonly payments: Record<'requests' | 'total' | 'pending' | PaymentOutcome, number>;
  readonly webhooks: Record<'total' | 'delivered' | 'pending' | 'abandoned' | 'attempts', number>;
}

/** In-memory payments of one simulator, keyed by order id (the idempotency key). */
export interface PaymentStore {
  create(request: PaymentRequest, nowMs: number): CreateResult;
  get(paymentId: string): Payment | undefined;
  /** Records the decision and returns the delivery states the sender will update. */
  decide(
    payment: Payment,
    outcome: PaymentOutcome,
    events: readonly ProviderEvent[],
    deliveries: readonly PlannedDelivery[],
    nowMs: number,
  ): WebhookDelivery[];
  stats(): SimulatorStats;
}

/**
 * Creates the store. Payments are never evicted: the simulator is a dev/test tool whose
 * runs are short, and being able to inspect every payment matters more than memory.
 */
export function createPaymentStore(seed: number): PaymentStore {
  const byOrder = new Map<string, Payment>();
  const byId = new Map<string, Payment>();
  let requests = 0;

  return {
    create(request, nowMs) {
      requests++;
      const existing = byOrder.get(request.order_id);
      if (existing) {
        const same = existing.amount === request.amount && existing.currency === request.currency;
        return { kind: same ? 'repeat' : 'conflict', payment: existing };
      }
      const payment: Payment = {
        payment_id: paymentIdFor(seed, request.order_id),
        order_id: request.order_id,
        amount: request.amount,
        currency: request.currency,
        status: 'pending',
        outcome: null,
        requested_at: new Date(nowMs).toISOString(),
        decided_at: null,
        events: [],
        webhooks: [],
      };
      byOrder.set(payment.order_id, payment);
      byId.set(payment.payment_id, payment);
      return { kind: 'created', payment };
    },

    get: (paymentId) => byId.get(paymentId),

    decide(payment, outcome, events, deliveries, nowMs) {
      const webhooks = deliveries.map((planned): WebhookDelivery => ({
        event_id: planned.event.event_id,
        type: planned.event.type,
        copy: planned.copy,
        extra_delay_ms: planned.extraDelayMs,
        attempts: 0,
        delivered: false,
        abandoned: false,
        last_status: null,
        last_error: null,
        delivered_at: null,
      }));
      payment.status = 'decided';
      payment.outcome = outcome;
      payment.decided_at = new Date(nowMs).toISOString();
      payment.events = events;
      payment.webhooks = webhooks;
      return webhooks;
    },

    stats() {
      const payments = { requests, total: 0, pending: 0, approved: 0, declined: 0, no_answer: 0 };
      const webhooks = { total: 0, delivered: 0, pending: 0, abandoned: 0, attempts: 0 };
      for (const payment of byId.values()) {
        payments.total++;
        payments[payment.outcome ?? 'pending']++;
        for (const webhook of payment.webhooks) {
          webhooks.total++;
          webhooks.attempts += webhook.attempts;
          if (webhook.delivered) webhooks.delivered++;
          else if (webhook.abandoned) webhooks.abandoned++;
          else webhooks.pending++;
        }
      }
      return { payments, webhooks };
    },
  };
}
