import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

/**
 * Ordered shutdown of one process: resources register a stop step as they open, and
 * `stop()` runs the steps in reverse order, once, logging each.
 */
export interface Lifecycle {
  /** Aborted when stopping begins, so long-running work can wind down. */
  readonly signal: AbortSignal;
  onStop(name: string, step: () => Promise<void> | void): void;
  /** Runs every stop step (later ones first); failures are logged, never thrown. */
  stop(reason?: string): Promise<void>;
}

/**
 * `unreadyDelayMs`: after the signal aborts (readiness turns 503) and before the first
 * step, so load balancers stop routing here before listeners close.
 */
export function createLifecycle(log: Logger, unreadyDelayMs = 0): Lifecycle {
  const steps: { name: string; step: () => Promise<void> | void }[] = [];
  const stopping = new AbortController();
  let stopped: Promise<void> | undefined;

  async function runSteps(reason: string): Promise<void> {
    const startedMs = Date.now();
    log.info({ 'event.action': 'shutdown-started', reason }, `stopping (${reason})`);
    stopping.abort(new Error(`stopping: ${reason}`));
    if (unreadyDelayMs > 0) await sleep(unreadyDelayMs);
    for (const { name, step } of steps.reverse()) {
      const stepStartedMs = Date.now();
      try {
        await step();
        // One line per step, so a slow drain shows where its time went.
        log.info({ 'event.action': 'shutdown-step' }, `stopped ${name} in ${Date.now() - stepStartedMs} ms`);
      } catch (error) {
        log.error({ err: error, 'event.action': 'shutdown-step-failed' }, `stopping ${name} failed`);
      }
    }
    log.info(
      { 'event.action': 'shutdown-finished', event: { duration: (Date.now() - startedMs) * 1e6 } },
      `stopped in ${Date.now() - startedMs} ms`,
    );
  }

  return {
    signal: stopping.signal,
    onStop(name, step) {
      steps.push({ name, step });
    },
    stop(reason = 'stop requested') {
      stopped ??= runSteps(reason);
      return stopped;
    },
  };
}
