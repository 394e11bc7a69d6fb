import type { NewEvent } from './events.js';
import type { Order } from './fold.js';
import { isTerminal, type Handling, type RuleFailure } from './order.js';
import { isFinalPayment, sequencePayment, type ProviderEvent } from './payment.js';

/**
 * What to do with an order: append one event, nothing (already done, or nothing due), or
 * refuse the request (the caller maps `code` to its edge, e.g. 409).
 */
export type Decision =
  | { readonly outcome: 'append'; readonly event: NewEvent }
  | { readonly outcome: 'noop'; readonly reason: string }
  | { readonly outcome: 'refuse'; readonly code: 'terminal'; readonly reason: string };

const append = (event: NewEvent): Decision => ({ outcome: 'append', event });
const noop = (reason: string): Decision => ({ outcome: 'noop', reason });

/** Result of validating a pending order (rules and risk, computed in the pool). */
export interface ValidationResult {
  readonly failures: readonly RuleFailure[];
  readonly handling: Handling;
  readonly risk_score: number;
}

/** pending → processing (valid) or rejected (with every failed rule); otherwise nothing. */
export function decideValidation(order: Order, result: ValidationResult): Decision {
  if (order.status !== 'pending') return noop(`order is ${order.status}`);
  if (result.failures.length > 0) {
    return append({ type: 'order.rejected', data: { reasons: result.failures, risk_score: result.risk_score } });
  }
  return append({ type: 'order.processing', data: { handling: result.handling, risk_score: result.risk_score } });
}

/** Cancels an open order; a terminal one is refused. */
export function decideCancel(order: Order, request: { reason: string; by: string }): Decision {
  if (isTerminal(order.status)) {
    return { outcome: 'refuse', code: 'terminal', reason: `order is already ${order.status}` };
  }
  return append({ type: 'order.cancelled', data: { reason: request.reason, by: request.by } });
}

/** Expires an open order whose last change is at least `ttlMs` old. */
export function decideExpire(order: Order, nowMs: number, ttlMs: number): Decision {
  if (isTerminal(order.status)) return noop(`order is ${order.status}`);
  const idleMs = nowMs - Date.parse(order.updated_at);
  if (idleMs < ttlMs) return noop(`last change ${idleMs} ms ago`);
  return append({ type: 'order.expired', data: { reason: `no progress for ${ttlMs} ms` } });
}

/** True when the provider event is already on the order (part of every payment decision). */
export function hasPaymentEvent(order: Order, eventId: string): boolean {
  return order.history.some((entry) => entry.type === 'order.payment' && entry.details.event_id === eventId);
}

/**
 * Records a provider event (SPEC §5). A repeat of a recorded `event_id` is a no-op. On a
 * terminal order it is recorded and changes nothing. Otherwise the payment is sequenced
 * anew; while its state is final, every recorded event moves `settle_at` to
 * now + `settleMs`.
 */
export function decidePayment(order: Order, event: ProviderEvent, nowMs: number, settleMs: number): Decision {
  if (hasPaymentEvent(order, event.event_id)) return noop(`provider event ${event.event_id} already recorded`);
  if (isTerminal(order.status)) {
    return append({
      type: 'order.payment',
      data: {
        event,
        applied: false,
        reason: `order is already ${order.status}`,
        payment_state: order.payment.state,
        settle_at: null,
      },
    });
  }
  const sequence = sequencePayment([...order.payment.events, event]);
  const applied = sequence.applied.has(event.event_id);
  const settleAt = isFinalPayment(sequence.state) ? new Date(nowMs + settleMs).toISOString() : null;
  return append({
    type: 'order.payment',
    data: {
      event,
      applied,
      reason: applied ? `payment ${sequence.state}` : 'out of sequence: kept, not applied',
      payment_state: sequence.state,
      settle_at: settleAt,
    },
  });
}

/** Settles a processing order whose final payment has waited until `settle_at`. */
export function decideSettle(order: Order, nowMs: number): Decision {
  if (order.status !== 'processing') return noop(`order is ${order.status}`);
  const { state } = order.payment;
  if (!isFinalPayment(state) || order.settle_at === null) return noop(`payment is ${state}`);
  if (nowMs < Date.parse(order.settle_at)) return noop(`settles at ${order.settle_at}`);
  return state === 'captured'
    ? append({ type: 'order.completed', data: { reason: 'payment captured' } })
    : append({ type: 'order.failed', data: { reason: 'payment declined' } });
}
