import { errorMessage, isPermanent } from '../errors.js';

export type FailureDecision =
  { readonly action: 'retry'; readonly delayMs: number } | { readonly action: 'dead-letter'; readonly reason: string };

/**
 * What to do with a message whose handler failed on its `attempt`-th try (deliveries
 * lost to a crash or an ack timeout are not tries). The server applies consumer backoff
 * only to ack timeouts, so the `nak` delay for each attempt is computed here (SPEC §4).
 */
export function decideFailure(
  error: unknown,
  attempt: number,
  maxDeliver: number,
  backoffMs: readonly number[],
): FailureDecision {
  if (isPermanent(error)) {
    return { action: 'dead-letter', reason: `cannot be handled: ${errorMessage(error)}` };
  }
  if (attempt >= maxDeliver) {
    return {
      action: 'dead-letter',
      reason: `failed on attempt ${attempt} of ${maxDeliver}: ${errorMessage(error)}`,
    };
  }
  const index = Math.min(Math.max(attempt - 1, 0), backoffMs.length - 1);
  return { action: 'retry', delayMs: backoffMs[index] ?? 0 };
}
