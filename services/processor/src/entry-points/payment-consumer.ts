import { decidePayment, isTerminal } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import type { Logger, MessageHandler } from '@orderflow/platform';
import type { Settler } from '../domain/settler.js';
import { providerEventOf } from './messages.js';

/**
 * Handles `payment.event.<order_id>` (SPEC §5): records the provider event on the order
 * (once per event id, decided with the append), and schedules settlement when the
 * payment is final.
 */
export function createPaymentHandler(deps: {
  readonly store: OrderStore;
  readonly settler: Settler;
  readonly settleMs: number;
  readonly log: Logger;
}): MessageHandler {
  return async (message) => {
    const event = providerEventOf(message);
    const result = await deps.store.decide(event.order_id, (order) =>
      decidePayment(order, event, Date.now(), deps.settleMs),
    );
    if (result.outcome === 'not_found') {
      // The api checked the order exists before storing the event: retry, then dead-letter.
      throw new Error(`payment event ${event.event_id} for unknown order ${event.order_id}`);
    }
    if (result.outcome !== 'appended') return;
    const { order } = result;
    if (isTerminal(order.status)) {
      deps.log.warn(
        { 'order.id': order.id, 'event.action': 'payment-after-terminal', payment: { type: event.type } },
        `provider event ${event.event_id} arrived for a ${order.status} order; recorded, nothing changed`,
      );
      return;
    }
    if (order.status === 'processing' && order.settle_at) deps.settler.schedule(order.id, order.settle_at);
  };
}
