import type { Order, RuleFailure, TerminalStatus } from '@orderflow/core';
import type { TerminalEvent } from './terminal-event.js';

/**
 * Where a notification stands. `sending` is the claim taken before the mail goes out;
 * `sent` and `recorded` (no mail due) are final; `failed` is retried on the next delivery.
 */
export type NotificationResult = 'sending' | 'sent' | 'failed' | 'recorded';

/**
 * One document of `notifications` (SPEC §6, §8): everything needed to debug a
 * notification. `_id` and `event_id` are the event id, so one event never has two.
 */
export interface NotificationRecord {
  readonly _id: string;
  readonly event_id: string;
  readonly event_type: TerminalEvent['type'];
  readonly order_id: string;
  readonly customer_id: string;
  /** The address mailed, or the customer id for the log sender; null when no mail is due. */
  readonly recipient: string | null;
  /** The sender that delivers the mail (`log`, `smtp`, …); null when no mail is due. */
  readonly channel: string | null;
  /** The order's status the event reports. */
  readonly status: TerminalStatus;
  readonly result: NotificationResult;
  /** Every business rule the order broke (for `rejected`). */
  readonly reasons: readonly RuleFailure[];
  readonly status_reason: string | null;
  readonly created_by: string;
  readonly trace_id: string | null;
  readonly order_created_at: Date;
  readonly order_updated_at: Date;
  /** Sending attempts so far; 0 when no mail is due. */
  readonly attempts: number;
  /** Message of the last failed attempt; kept after a later success, for debugging. */
  readonly error: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly sent_at: Date | null;
}

/** What the record of a notification starts as, before anything is sent. */
export interface NewRecordInput {
  readonly event: TerminalEvent;
  readonly order: Order;
  readonly recipient: string | null;
  readonly channel: string | null;
  readonly result: Extract<NotificationResult, 'sending' | 'recorded'>;
  readonly now: Date;
}

/** The first version of a notification's record: the claim (`sending`) or the final `recorded`. */
export function newRecord(input: NewRecordInput): NotificationRecord {
  const { event, order, now } = input;
  return {
    _id: event.id,
    event_id: event.id,
    event_type: event.type,
    order_id: event.orderId,
    customer_id: order.customer_id,
    recipient: input.recipient,
    channel: input.channel,
    status: event.status,
    result: input.result,
    reasons: order.reasons,
    status_reason: order.status_reason,
    created_by: order.created_by,
    trace_id: event.traceId,
    order_created_at: new Date(order.created_at),
    order_updated_at: new Date(order.updated_at),
    attempts: input.result === 'sending' ? 1 : 0,
    error: null,
    created_at: now,
    updated_at: now,
    sent_at: null,
  };
}
