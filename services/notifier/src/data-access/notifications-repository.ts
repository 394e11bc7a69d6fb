import type { Db } from '@orderflow/platform';
import type { NotificationRecord } from '../domain/notification-record.js';
import type { NotificationStore } from '../domain/notification-store.js';

/** The audit collection (SPEC §8), created by migration 1 with a unique `event_id`. */
export const NOTIFICATIONS = 'notifications';
/**
 * Claims of retry attempts, `_id` = `<event id>#<attempt>`. The servers we support may
 * read then write on a conditional update, so only a unique insert can make one
 * instance the owner of an attempt; this collection holds those inserts.
 */
export const NOTIFICATION_ATTEMPTS = 'notification_attempts';

const DUPLICATE_KEY = 11_000;
const NAMESPACE_EXISTS = 48;

interface AttemptClaim {
  _id: string;
  event_id: string;
  attempt: number;
  claimed_at: Date;
}

/** The notification store over MongoDB; call `ensureCollections` once before use. */
export function createNotificationsRepository(db: Db): NotificationStore & { ensureCollections(): Promise<void> } {
  const records = db.collection<NotificationRecord>(NOTIFICATIONS);
  const attempts = db.collection<AttemptClaim>(NOTIFICATION_ATTEMPTS);

  return {
    async ensureCollections() {
      // Created up front so that concurrent first inserts never race to create it.
      await db.createCollection(NOTIFICATION_ATTEMPTS).catch((error: unknown) => {
        if (codeOf(error) !== NAMESPACE_EXISTS) throw error;
      });
    },

    async insert(record) {
      try {
        await records.insertOne(record);
        return true;
      } catch (error) {
        if (codeOf(error) === DUPLICATE_KEY) return false;
        throw error;
      }
    },

    async find(eventId) {
      return (await records.findOne({ _id: eventId })) ?? undefined;
    },

    async claimAttempt(eventId, attempt, at) {
      const _id = `${eventId}#${attempt}`;
      try {
        await attempts.insertOne({ _id, event_id: eventId, attempt, claimed_at: at });
        return { claimed: true };
      } catch (error) {
        if (codeOf(error) !== DUPLICATE_KEY) throw error;
      }
      const existing = await attempts.findOne({ _id });
      // Vanished between the insert and the read: count it as claimed just now.
      return { claimed: false, claimedAt: existing?.claimed_at ?? at };
    },

    async markSending(eventId, attempt, delivery, at) {
      await records.updateOne(
        { _id: eventId },
        {
          $set: {
            result: 'sending',
            attempts: attempt,
            recipient: delivery.recipient,
            channel: delivery.channel,
            updated_at: at,
          },
        },
      );
    },

    async markSent(eventId, attempt, at) {
      await records.updateOne(
        { _id: eventId, attempts: attempt },
        { $set: { result: 'sent', sent_at: at, updated_at: at } },
      );
    },

    async markFailed(eventId, attempt, error, at) {
      await records.updateOne(
        { _id: eventId, attempts: attempt },
        { $set: { result: 'failed', error, updated_at: at } },
      );
    },
  };
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}
