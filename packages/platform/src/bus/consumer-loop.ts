import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { errorMessage, PermanentError } from '../errors.js';
import { decideFailure } from './failure-policy.js';
import type { BusMessage, Consumption, DeadLetter, MessageHandler, MessageOutcome } from './types.js';

/** A delivered message with the settle operations an implementation provides. */
export interface Delivery extends BusMessage {
  ack(): Promise<void>;
  nak(delayMs: number): void;
  term(): void;
}

/** Where deliveries come from: a JetStream pull consumer or the in-memory one. */
export interface DeliverySource {
  /** Deliveries in arrival order until `signal` aborts; pulls at most `max` ahead. */
  deliveries(max: number, signal: AbortSignal): AsyncIterable<Delivery>;
}

export interface ConsumerLoopOptions {
  readonly durable: string;
  readonly source: DeliverySource;
  readonly handler: MessageHandler;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly concurrency: number;
  readonly deadLetter: (letter: DeadLetter) => Promise<void>;
  readonly onOutcome: ((outcome: MessageOutcome) => void) | undefined;
  readonly log: Logger | undefined;
}

const SOURCE_RETRY_MS = 1_000;
const DEFAULT_GRACE_MS = 10_000;

/**
 * The one consume loop both bus implementations share: bounded concurrency, ack on
 * success, `nak` with the delay for the delivery count on failure, dead letter on a
 * permanent error or the last delivery, and a stop that drains before aborting.
 */
export function runConsumerLoop(options: ConsumerLoopOptions): Consumption {
  const { source, concurrency, log } = options;
  const pulling = new AbortController();
  const working = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let slotFreed: (() => void) | undefined;

  const loop = (async () => {
    while (!pulling.signal.aborted) {
      try {
        for await (const delivery of source.deliveries(concurrency, pulling.signal)) {
          if (pulling.signal.aborted) {
            delivery.nak(0);
            continue;
          }
          const task = settle(delivery, options, working.signal).finally(() => {
            inFlight.delete(task);
            slotFreed?.();
          });
          inFlight.add(task);
          while (inFlight.size >= concurrency) {
            await new Promise<void>((resolve) => (slotFreed = resolve));
          }
        }
      } catch (error) {
        if (pulling.signal.aborted) break;
        log?.warn(
          { err: error, 'event.action': 'consume-retry', consumer: options.durable },
          `pulling from ${options.durable} failed; retrying`,
        );
        await sleep(SOURCE_RETRY_MS, undefined, { signal: pulling.signal }).catch(() => undefined);
      }
    }
  })();

  return {
    async stop(graceMs = DEFAULT_GRACE_MS) {
      pulling.abort();
      await loop;
      if (inFlight.size === 0) return;
      const graceOver = new AbortController();
      const drained = Promise.allSettled(inFlight).then(() => true);
      const timedOut = sleep(graceMs, false, { signal: graceOver.signal }).catch(() => true);
      const finished = await Promise.race([drained, timedOut]);
      graceOver.abort();
      if (!finished) {
        working.abort(new Error(`consumer ${options.durable} stopping`));
        await Promise.allSettled(inFlight);
      }
    },
  };
}

async function settle(delivery: Delivery, options: ConsumerLoopOptions, signal: AbortSignal): Promise<void> {
  const report = (outcome: Omit<MessageOutcome, 'consumer' | 'subject' | 'deliveryCount'>) =>
    options.onOutcome?.({
      consumer: options.durable,
      subject: delivery.subject,
      deliveryCount: delivery.deliveryCount,
      ...outcome,
    });
  if (delivery.deliveryCount > options.maxDeliver) {
    // Earlier deliveries ended without a settle (a crash or an ack timeout): the server
    // keeps redelivering, so the limit is enforced here, never by dropping the message.
    const error = new PermanentError(
      `not settled after ${options.maxDeliver} deliveries (the handler crashed or timed out)`,
    );
    await settleFailure(delivery, error, options, report);
    return;
  }
  try {
    await options.handler(delivery, signal);
  } catch (error) {
    if (signal.aborted) {
      delivery.nak(0);
      report({ result: 'nak', delayMs: 0, error });
      return;
    }
    await settleFailure(delivery, error, options, report);
    return;
  }
  try {
    await delivery.ack();
    report({ result: 'ack' });
  } catch (error) {
    // The effect is done; a redelivery is absorbed by the handler's idempotency.
    options.log?.warn({ err: error, consumer: options.durable }, 'ack failed; message will be redelivered');
    report({ result: 'nak', error });
  }
}

async function settleFailure(
  delivery: Delivery,
  error: unknown,
  options: ConsumerLoopOptions,
  report: (outcome: Omit<MessageOutcome, 'consumer' | 'subject' | 'deliveryCount'>) => void,
): Promise<void> {
  const decision = decideFailure(error, delivery.deliveryCount, options.maxDeliver, options.backoffMs);
  const fields = {
    err: error,
    consumer: options.durable,
    'event.action': decision.action,
    message: { subject: delivery.subject, deliveries: delivery.deliveryCount, seq: delivery.streamSequence },
  };
  if (decision.action === 'retry') {
    options.log?.warn(fields, `handling failed; retry in ${decision.delayMs} ms: ${errorMessage(error)}`);
    delivery.nak(decision.delayMs);
    report({ result: 'nak', delayMs: decision.delayMs, error });
    return;
  }
  try {
    await options.deadLetter({
      originalSubject: delivery.subject,
      data: delivery.data,
      headers: delivery.headers,
      reason: decision.reason,
      deliveryCount: delivery.deliveryCount,
      consumer: options.durable,
      streamSequence: delivery.streamSequence,
      failedAt: new Date().toISOString(),
    });
  } catch (dlqError) {
    // Not safe in DLQ yet: keep the message so nothing is lost.
    const delayMs = options.backoffMs.at(-1) ?? 0;
    options.log?.error({ ...fields, err: dlqError }, 'writing the dead letter failed; keeping the message');
    delivery.nak(delayMs);
    report({ result: 'nak', delayMs, error: dlqError });
    return;
  }
  delivery.term();
  options.log?.error(fields, `dead-lettered: ${decision.reason}`);
  report({ result: 'dlq', error });
}
