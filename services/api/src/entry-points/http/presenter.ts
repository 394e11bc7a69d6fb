import { toMajor, type Order, type OrderEvent } from '@orderflow/core';
import type { OrderSummary } from '@orderflow/event-store';

/** An order as the API shows it: money as decimal numbers instead of minor units. */
export function presentOrder(order: Order | OrderSummary): Record<string, unknown> {
  const { total_minor, items, request_hash: _hash, trace: _trace, ...rest } = order;
  return {
    ...rest,
    total: toMajor(total_minor),
    items: items.map(({ unit_price_minor, ...item }) =>
      unit_price_minor === undefined ? item : { ...item, unit_price: toMajor(unit_price_minor) },
    ),
  };
}

export function presentEvent(event: OrderEvent): Record<string, unknown> {
  return { id: `${event.order_id}:${event.seq}`, seq: event.seq, type: event.type, at: event.at, data: event.data };
}
