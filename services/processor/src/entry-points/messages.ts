import {
  applyEvent,
  PAYMENT_EVENT_TYPES,
  parseEventId,
  type Order,
  type OrderEvent,
  type ProviderEvent,
} from '@orderflow/core';
import { PermanentError, type BusMessage } from '@orderflow/platform';

/** The order a published order event (its parsed SPEC §4 envelope) is about; permanent if malformed. */
export function orderIdOf(json: unknown): { orderId: string; seq: number } {
  const envelope = json as { id?: unknown; order_id?: unknown } | null;
  const parsed = typeof envelope?.id === 'string' ? parseEventId(envelope.id) : undefined;
  if (!parsed || envelope?.order_id !== parsed.orderId) {
    throw new PermanentError('not an order event envelope', { code: 'ERR_SCHEMA' });
  }
  return parsed;
}

/**
 * The order as its parsed `order.created` envelope (seq 1) describes it, or undefined for any
 * other message or a payload that does not carry the order. Seq 1 never changes once
 * stored, so this is the stored order at version 1; whether it moved on since is for the
 * append to find out (a later seq collides).
 */
export function createdOrderOf(json: unknown): Order | undefined {
  const envelope = json as {
    id?: unknown;
    type?: unknown;
    time?: unknown;
    order_id?: unknown;
    data?: { order?: { id?: unknown }; request_hash?: unknown };
  } | null;
  const parsed = typeof envelope?.id === 'string' ? parseEventId(envelope.id) : undefined;
  const data = envelope?.data;
  const complete =
    parsed?.seq === 1 &&
    envelope?.type === 'order.created' &&
    typeof envelope.time === 'string' &&
    data?.order?.id === parsed.orderId &&
    envelope.order_id === parsed.orderId &&
    typeof data.request_hash === 'string';
  if (!complete) return undefined;
  const event = { type: 'order.created', data, order_id: parsed.orderId, seq: 1, at: envelope.time } as OrderEvent;
  return applyEvent(undefined, event);
}

/** A provider event as the api stored it in PAYMENTS; permanent if malformed. */
export function providerEventOf(message: BusMessage): ProviderEvent {
  const value = message.json() as Partial<ProviderEvent> | null;
  const valid =
    typeof value?.event_id === 'string' &&
    typeof value.order_id === 'string' &&
    typeof value.created_at === 'string' &&
    !Number.isNaN(Date.parse(value.created_at)) &&
    (PAYMENT_EVENT_TYPES as readonly unknown[]).includes(value.type) &&
    (value.amount_minor === undefined || Number.isInteger(value.amount_minor));
  if (!valid) throw new PermanentError('not a provider event', { code: 'ERR_SCHEMA' });
  return value as ProviderEvent;
}
