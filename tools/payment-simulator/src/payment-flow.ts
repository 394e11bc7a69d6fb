import type { Logger } from '@orderflow/platform';
import { sleep } from './abortable-sleep.js';
import { planDeliveries, type DeliveryPlan } from './chaos.js';
import type { SimulatorConfig } from './config.js';
import type { Payment, PaymentStore, WebhookDelivery } from './payment-store.js';
import { buildEvents, decideOutcome } from './provider-events.js';
import { createRandom } from './random.js';
import type { SendWebhook } from './webhook-sender.js';

/** What one payment's run needs; all of it belongs to the simulator that runs it. */
export interface PaymentFlowDeps {
  readonly config: SimulatorConfig;
  readonly store: PaymentStore;
  readonly send: SendWebhook;
  readonly log: Logger;
  readonly now: () => number;
  /** Aborted by `stop()`: pending delays and deliveries end at once. */
  readonly signal: AbortSignal;
}

/**
 * Plays the provider for one payment: wait, decide, then deliver the webhooks. Never
 * rejects, so callers can fire and forget it.
 */
export async function runPayment(payment: Payment, deps: PaymentFlowDeps): Promise<void> {
  const { config, store, log, now, signal } = deps;
  try {
    if (!(await sleep(config.delayMs, signal))) return;
    const outcome = decideOutcome(config.seed, payment.order_id, config.successRate, config.declineRate);
    const decidedAtMs = now();
    const events = buildEvents(config.seed, payment, outcome, decidedAtMs);
    const plan = planDeliveries(events, config.chaos, createRandom(config.seed, payment.order_id, 'chaos'));
    const states = store.decide(payment, outcome, events, plan.deliveries, decidedAtMs);
    log.info(
      {
        'event.action': 'payment-decided',
        payment: { id: payment.payment_id, order_id: payment.order_id, outcome, webhooks: states.length },
      },
      `payment ${payment.payment_id} of order ${payment.order_id}: ${outcome}`,
    );
    await deliver(plan, states, payment, deps);
  } catch (error) {
    log.error({ err: error, 'event.action': 'payment-failed' }, `payment ${payment.payment_id} failed`);
  }
}

async function deliver(
  plan: DeliveryPlan,
  states: readonly WebhookDelivery[],
  payment: Payment,
  deps: PaymentFlowDeps,
): Promise<void> {
  const { send, log, signal } = deps;
  const deliverOne = async (index: number): Promise<void> => {
    const planned = plan.deliveries[index]!;
    const state = states[index]!;
    if (planned.extraDelayMs > 0 && !(await sleep(planned.extraDelayMs, signal))) return;
    // Serialised once: the signature must cover exactly the bytes sent, duplicates included.
    const body = Buffer.from(JSON.stringify(planned.event));
    const result = await send(body, state, signal);
    const fields = {
      'event.action': `webhook-${result}`,
      webhook: { event_id: state.event_id, type: state.type, copy: state.copy, attempts: state.attempts },
      payment: { id: payment.payment_id, order_id: payment.order_id },
    };
    if (result === 'delivered') {
      log.info(fields, `webhook ${state.type} of order ${payment.order_id} delivered (${state.attempts} attempts)`);
    } else if (result === 'abandoned') {
      log.warn(
        { ...fields, http: { status: state.last_status }, error: { message: state.last_error } },
        `webhook ${state.type} of order ${payment.order_id} abandoned after ${state.attempts} attempts`,
      );
    }
  };

  const indexes = plan.deliveries.map((_, index) => index);
  if (plan.concurrent) {
    await Promise.all(indexes.map(deliverOne));
    return;
  }
  // In order, each after the previous one was accepted. An abandoned webhook does not
  // hold back the rest: a receiver that rejects one event may still take the next.
  for (const index of indexes) {
    if (signal.aborted) return;
    await deliverOne(index);
  }
}
