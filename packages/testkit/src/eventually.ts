import { setTimeout as sleep } from 'node:timers/promises';

/** The least time a probe is given past the deadline (more for longer waits: `timeoutMs`). */
const PROBE_GRACE_MS = 5_000;

const HUNG = Symbol('hung');

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails after
 * `timeoutMs` with `what` in the message. A probe that never settles fails the wait too,
 * once it has run past the deadline by `timeoutMs` (5 s at least), instead of holding the
 * test until its file's timeout. Tests wait with this, never with fixed sleeps.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const giveUp = new AbortController();
    const outcome = await Promise.race([
      (async () => ({ value: await probe() }))().catch((error: unknown) => ({ error })),
      sleep(Math.max(deadline - Date.now(), 0) + Math.max(timeoutMs, PROBE_GRACE_MS), HUNG, { signal: giveUp.signal }),
    ]);
    giveUp.abort();
    if (outcome === HUNG) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: its probe never settled`, {
        cause: lastError,
      });
    }
    if ('error' in outcome) lastError = outcome.error;
    else if (outcome.value !== undefined && outcome.value !== false) return outcome.value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}
