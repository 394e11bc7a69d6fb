import { setTimeout as wait } from 'node:timers/promises';

/**
 * Waits `delayMs`; resolves false instead of rejecting when `signal` aborts, so stopping
 * the simulator unwinds pending work without unhandled rejections.
 */
export async function sleep(delayMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await wait(delayMs, undefined, { signal });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}
