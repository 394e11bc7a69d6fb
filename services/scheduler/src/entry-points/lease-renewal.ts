import type { Lease, Logger } from '@orderflow/platform';

/**
 * One renewal of the leader lease, run more often than any job so the holder claims its
 * next term in time even while a long tick is in flight. Logs when leadership changes.
 */
export function leaseRenewal(lease: Lease, owner: string, log: Logger): () => Promise<void> {
  let leading = false;
  return async () => {
    try {
      await lease.tryAcquire();
    } finally {
      const held = lease.isHeld();
      if (held !== leading) {
        leading = held;
        log.info(
          { 'event.action': held ? 'leader-elected' : 'leader-lost', 'scheduler.owner': owner },
          held ? 'this replica now leads the scheduler' : 'this replica no longer leads the scheduler',
        );
      }
    }
  };
}
