import { errorMessage, isPermanent } from '../errors.js';

export type FailureDecision =
  { readonly action: 'retry'; readonly delayMs: number } | { readonly action: 'dead-letter'; readonly reason: string };

/**
 * What to do with a message whose handler failed. The server applies consumer backoff
 * only to ack timeouts, so the `nak` delay for each delivery is computed here (SPEC §4).
 */
export function decideFailure(
  error: unknown,
  deliveryCount: number,
  maxDeliver: number,
  backoffMs: readonly number[],
): FailureDecision {
  if (isPermanent(error)) {
    return { action: 'dead-letter', reason: `cannot be handled: ${errorMessage(error)}` };
  }
  if (deliveryCount >= maxDeliver) {
    return {
      action: 'dead-letter',
      reason: `failed on delivery ${deliveryCount} of ${maxDeliver}: ${errorMessage(error)}`,
    };
  }
  const index = Math.min(Math.max(deliveryCount - 1, 0), backoffMs.length - 1);
  return { action: 'retry', delayMs: backoffMs[index] ?? 0 };
}
