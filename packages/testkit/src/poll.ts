import { setTimeout as delay } from 'node:timers/promises';

/** How `pollUntil` paces and bounds its attempts. */
export interface PollOptions {
  timeoutMs: number;
  /** Pause between failed attempts. */
  intervalMs?: number;
  /** Stops polling early, rejecting with the signal's reason. */
  signal?: AbortSignal;
  /** Completes "Timed out after N ms waiting for …". */
  what: string;
}

/**
 * Repeats `attempt` until it returns true. Each attempt receives the milliseconds left
 * so it can bound its own I/O.
 */
export async function pollUntil(
  attempt: (remainingMs: number) => Promise<boolean>,
  options: PollOptions,
): Promise<void> {
  const { timeoutMs, intervalMs = 50, signal, what } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await attempt(Math.max(deadline - Date.now(), 1))) return;
    signal?.throwIfAborted();
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(Math.min(intervalMs, remainingMs), undefined, { signal });
  }
}
