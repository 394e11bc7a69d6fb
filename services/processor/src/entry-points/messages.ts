import { PAYMENT_EVENT_TYPES, parseEventId, type ProviderEvent } from '@orderflow/core';
import { PermanentError, type BusMessage } from '@orderflow/platform';

/** The order a published order event is about (SPEC §4 envelope); permanent if malformed. */
export function orderIdOf(message: BusMessage): { orderId: string; seq: number } {
  const envelope = message.json() as { id?: unknown; order_id?: unknown } | null;
  const parsed = typeof envelope?.id === 'string' ? parseEventId(envelope.id) : undefined;
  if (!parsed || envelope?.order_id !== parsed.orderId) {
    throw new PermanentError('not an order event envelope', { code: 'ERR_SCHEMA' });
  }
  return parsed;
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
