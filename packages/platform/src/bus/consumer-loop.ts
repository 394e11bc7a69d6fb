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
  /**
   * Deliveries in arrival order until `signal` aborts. At most `max` are handled at once;
   * `free()` is how many more the loop can start right now: a source pulls no more than
   * that, so nothing it delivers waits unhandled.
   */
  deliveries(max: number, signal: AbortSignal, free: () => number): AsyncIterable<Delivery>;
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
 * Deliveries that end without a settle (the process died, the ack wait passed) are not
 * failures of the handler and do not count toward `maxDeliver`: a processor killed while
 * holding a prefetched backlog must not dead-letter healthy messages. Only a message
 * delivered this many times `maxDeliver` — one that kills its consumer every time — is
 * dead-lettered for it, so it cannot crash-loop the service forever.
 */
export const UNSETTLED_DELIVERY_FACTOR = 10;
/** Messages whose handler failures are remembered at once (oldest forgotten first). */
const TRACKED_FAILURES = 10_000;

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
  const failures = new FailureCounts(TRACKED_FAILURES);
  let slotFreed: (() => void) | undefined;

  const loop = (async () => {
    while (!pulling.signal.aborted) {
      try {
        const free = () => concurrency - inFlight.size;
        for await (const delivery of source.deliveries(concurrency, pulling.signal, free)) {
          if (pulling.signal.aborted) {
            delivery.nak(0);
            continue;
          }
          const task = settle(delivery, options, failures, working.signal).finally(() => {
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

/**
 * Handler failures per message (by stream sequence) seen by this consumer: the attempt
 * number retries and dead letters are decided by. A crash forgets them, which can only
 * grant more attempts, never fewer; the unsettled-delivery ceiling bounds the total.
 */
class FailureCounts {
  readonly #counts = new Map<number, number>();
  constructor(private readonly capacity: number) {}

  /** Records one more failure and returns how many there were. */
  add(seq: number): number {
    const count = (this.#counts.get(seq) ?? 0) + 1;
    this.#counts.delete(seq);
    this.#counts.set(seq, count);
    if (this.#counts.size > this.capacity) this.#counts.delete(this.#counts.keys().next().value!);
    return count;
  }

  forget(seq: number): void {
    this.#counts.delete(seq);
  }
}

async function settle(
  delivery: Delivery,
  options: ConsumerLoopOptions,
  failures: FailureCounts,
  signal: AbortSignal,
): Promise<void> {
  const report = (outcome: Omit<MessageOutcome, 'consumer' | 'subject' | 'deliveryCount'>) =>
    options.onOutcome?.({
      consumer: options.durable,
      subject: delivery.subject,
      deliveryCount: delivery.deliveryCount,
      ...outcome,
    });
  const seq = delivery.streamSequence;
  const unsettledLimit = options.maxDeliver * UNSETTLED_DELIVERY_FACTOR;
  if (delivery.deliveryCount > unsettledLimit) {
    // The server redelivers without limit (max_deliver -1); this is where it ends, never
    // by dropping the message.
    const error = new PermanentError(
      `delivered ${delivery.deliveryCount} times without being settled (the handler keeps crashing or timing out)`,
    );
    await settleFailure(delivery, error, 1, options, report);
    failures.forget(seq);
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
    const attempt = failures.add(seq);
    if (await settleFailure(delivery, error, attempt, options, report)) failures.forget(seq);
    return;
  }
  failures.forget(seq);
  try {
    await delivery.ack();
    report({ result: 'ack' });
  } catch (error) {
    // The effect is done; a redelivery is absorbed by the handler's idempotency.
    options.log?.warn({ err: error, consumer: options.durable }, 'ack failed; message will be redelivered');
    report({ result: 'nak', error });
  }
}

/** Retries or dead-letters a failed message; true once it is dead-lettered. */
async function settleFailure(
  delivery: Delivery,
  error: unknown,
  attempt: number,
  options: ConsumerLoopOptions,
  report: (outcome: Omit<MessageOutcome, 'consumer' | 'subject' | 'deliveryCount'>) => void,
): Promise<boolean> {
  const decision = decideFailure(error, attempt, options.maxDeliver, options.backoffMs);
  const fields = {
    err: error,
    consumer: options.durable,
    'event.action': decision.action,
    message: { subject: delivery.subject, deliveries: delivery.deliveryCount, attempt, seq: delivery.streamSequence },
  };
  if (decision.action === 'retry') {
    options.log?.warn(fields, `handling failed; retry in ${decision.delayMs} ms: ${errorMessage(error)}`);
    delivery.nak(decision.delayMs);
    report({ result: 'nak', delayMs: decision.delayMs, error });
    return false;
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
    return false;
  }
  delivery.term();
  options.log?.error(fields, `dead-lettered: ${decision.reason}`);
  report({ result: 'dlq', error });
  return true;
}
