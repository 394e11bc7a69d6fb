import type { ConsumerMessages, ConsumerNotification } from '@nats-io/jetstream';

const MISSED_HEARTBEATS_TO_REBIND = 3;

/**
 * Why a pull that has stopped receiving should be closed and bound again (missed
 * heartbeats, its consumer or stream gone), or undefined while it is healthy.
 */
export function lostReason(status: ConsumerNotification): string | undefined {
  if (status.type === 'heartbeats_missed' && status.count >= MISSED_HEARTBEATS_TO_REBIND) {
    return `${status.count} heartbeats missed`;
  }
  if (status.type === 'consumer_deleted') return 'consumer deleted';
  if (status.type === 'consumer_not_found' && status.count >= MISSED_HEARTBEATS_TO_REBIND) return 'consumer not found';
  return undefined;
}

/**
 * Watches a pull's notifications and closes it once `reasonOf` names a reason, so its
 * iteration ends; `onLost` hears why first.
 */
export function closeWhenLost(
  messages: ConsumerMessages,
  onLost: (reason: string) => void,
  reasonOf: (status: ConsumerNotification) => string | undefined = lostReason,
): void {
  void (async () => {
    for await (const status of messages.status()) {
      const reason = reasonOf(status);
      if (reason) {
        onLost(reason);
        await messages.close();
        return;
      }
    }
  })();
}
