import { AsyncResource } from 'node:async_hooks';
import { decideValidation, type Lane, type NewOrder, type Order } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import { PermanentError, type Db, type Logger, type MessageHandler } from '@orderflow/platform';
import { customerHistory } from '../data-access/customer-history.js';
import type { LaneScheduler } from '../domain/lane-scheduler.js';
import type { PaymentClient } from '../payments/payment-client.js';
import type { Validator } from '../validation/validator.js';
import { createdOrderOf, orderIdOf } from './messages.js';

export interface OrderConsumerDependencies {
  readonly db: Db;
  readonly store: OrderStore;
  readonly validator: Validator;
  readonly payments: PaymentClient;
  readonly scheduler: LaneScheduler;
  readonly log: Logger;
  /** Test-only crash point `after-effect`: the payment is requested, the message not yet acked. */
  readonly faultPoint?: ((point: string) => void) | undefined;
}

/**
 * Handles `order.created.<lane>`: validates a pending order in the pool, moves it to
 * processing (then requests payment) or rejected. Decisions are taken against the
 * order's current events, so a redelivery changes nothing; an order left in processing
 * without any provider event (a crash before the request) has its payment requested again.
 */
export function createOrderHandler(lane: Lane, deps: OrderConsumerDependencies): MessageHandler {
  return async (message, signal) => {
    const envelope = message.json();
    const { orderId } = orderIdOf(envelope);
    await deps.scheduler.run(
      lane,
      // Bound to the message's context: the lane scheduler may start it from another's.
      AsyncResource.bind(async () => {
        // A new order's message carries all of it: no read unless it moved on meanwhile.
        const order = createdOrderOf(envelope) ?? (await deps.store.load(orderId));
        if (!order) throw new PermanentError(`order ${orderId} has no events`);
        const current = order.status === 'pending' ? await validate(order, deps) : order;
        if (needsPaymentRequest(current)) {
          await deps.payments.request(current, signal);
          deps.log.info({ 'order.id': orderId, 'event.action': 'payment-requested' }, 'payment requested');
          deps.faultPoint?.('after-effect');
        }
      }),
      () => message.working(),
    );
  };
}

async function validate(order: Order, deps: OrderConsumerDependencies): Promise<Order> {
  const history = await customerHistory(deps.db, order.customer_id, order.id, Date.now());
  const result = await deps.validator.validate({ order: newOrderOf(order), history });
  // Just read: the store appends against it, and re-reads only if the order moved on meanwhile.
  const decided = await deps.store.decide(order.id, (current) => decideValidation(current, result), { known: order });
  if (decided.outcome === 'not_found') throw new PermanentError(`order ${order.id} vanished`);
  if (decided.outcome === 'appended') {
    deps.log.info(
      { 'order.id': order.id, 'event.action': decided.order.status, risk_score: result.risk_score },
      decided.order.status === 'rejected' ? `rejected: ${decided.order.status_reason ?? ''}` : 'validated',
    );
  }
  return decided.order;
}

function needsPaymentRequest(order: Order): boolean {
  return order.status === 'processing' && order.payment.events.length === 0;
}

function newOrderOf(order: Order): NewOrder {
  return {
    id: order.id,
    customer_id: order.customer_id,
    customer_email: order.customer_email,
    items: order.items,
    total_minor: order.total_minor,
    currency: order.currency,
    priority: order.priority,
    lane: order.lane,
    address: order.address,
    notes: order.notes,
    created_by: order.created_by,
  };
}
