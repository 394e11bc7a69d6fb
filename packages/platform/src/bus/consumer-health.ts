import type { ConsumerNotification } from '@nats-io/jetstream';

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
