import {
  applyEvent,
  foldOrder,
  type NewEvent,
  type NewOrder,
  type Order,
  type OrderEvent,
  type ProviderEvent,
} from '@orderflow/core';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id: 'ord-1',
    customer_id: 'cust-1',
    items: [{ sku: 'sku-1', quantity: 1 }],
    total_minor: 4_990,
    currency: 'USD',
    priority: 2,
    lane: 'normal',
    created_by: 'cust-1',
    ...overrides,
  };
}

/** Builds stored events from new ones, seq 1.., one second apart. */
export function history(order: NewOrder, ...more: NewEvent[]): OrderEvent[] {
  const all: NewEvent[] = [{ type: 'order.created', data: { order, request_hash: 'h' } }, ...more];
  return all.map((event, i) => ({
    ...event,
    order_id: order.id,
    seq: i + 1,
    at: new Date(T0 + i * 1_000).toISOString(),
  }));
}

export function orderWith(...more: NewEvent[]): Order {
  const order = foldOrder(history(newOrder(), ...more));
  if (!order) throw new Error('no order');
  return order;
}

/** Appends the event a decision produced, as the store would. */
export function after(order: Order, event: NewEvent, atMs = Date.parse(order.updated_at) + 1_000): Order {
  return applyEvent(order, { ...event, order_id: order.id, seq: order.version + 1, at: new Date(atMs).toISOString() });
}

export function providerEvent(
  type: ProviderEvent['type'],
  offsetMs: number,
  id = `${type}-${offsetMs}`,
): ProviderEvent {
  return { event_id: id, type, order_id: 'ord-1', created_at: new Date(T0 + offsetMs).toISOString() };
}

export const PROCESSING: NewEvent = { type: 'order.processing', data: { handling: 'standard', risk_score: 0.1 } };
