import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError, type Logger } from '@orderflow/platform';

export interface TickLoopOptions {
  /** Names the loop in logs. */
  readonly name: string;
  /** Pause between the end of one tick and the start of the next. */
  readonly intervalMs: number;
  readonly tick: () => Promise<void>;
  /** Once aborted, no new tick starts. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface TickLoop {
  /** Settles once the signal has aborted and the tick in flight (if any) has finished. */
  readonly done: Promise<void>;
}

/**
 * Runs `tick` at once, then `intervalMs` after each tick ends, so a slow tick delays the
 * next instead of overlapping it. A failing tick is logged and the next one retries.
 */
export function startTickLoop(options: TickLoopOptions): TickLoop {
  const { name, intervalMs, tick, signal, log } = options;
  const done = (async () => {
    while (!signal.aborted) {
      try {
        await tick();
      } catch (error) {
        // An unreachable database is an outage to ride out, not a bug.
        const level = error instanceof UnavailableError ? 'warn' : 'error';
        log[level](
          { err: error, 'event.action': 'scheduler-tick-failed', 'scheduler.job': name },
          `${name} tick failed; retrying in ${intervalMs} ms`,
        );
      }
      await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
    }
  })();
  return { done };
}
