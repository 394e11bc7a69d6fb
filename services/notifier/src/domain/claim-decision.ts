import type { NotificationRecord } from './notification-record.js';

/**
 * What to do about an event whose record already exists: nothing (it is final), send
 * again as the next attempt, or wait because another instance is sending right now.
 */
export type ExistingRecordDecision =
  | { readonly action: 'done' }
  | { readonly action: 'retry'; readonly nextAttempt: number }
  | { readonly action: 'wait' };

/**
 * Decides on an existing record. A `sending` record not touched for `ackWaitMs` belongs
 * to an attempt that crashed mid-send: its message has been redelivered by now, so the
 * attempt is taken over. A fresher one means another instance is at it.
 */
export function decideOnExisting(
  record: Pick<NotificationRecord, 'result' | 'attempts' | 'updated_at'>,
  nowMs: number,
  ackWaitMs: number,
): ExistingRecordDecision {
  switch (record.result) {
    case 'sent':
    case 'recorded':
      return { action: 'done' };
    case 'failed':
      return { action: 'retry', nextAttempt: record.attempts + 1 };
    case 'sending':
      return nowMs - record.updated_at.getTime() > ackWaitMs
        ? { action: 'retry', nextAttempt: record.attempts + 1 }
        : { action: 'wait' };
  }
}
