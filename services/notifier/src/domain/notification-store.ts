import type { NotificationRecord } from './notification-record.js';

/** Who a mail goes to and through which sender, as the record shows it. */
export type Delivery = Pick<NotificationRecord, 'recipient' | 'channel'>;

/** Where notification records and attempt claims are kept (MongoDB in production). */
export interface NotificationStore {
  /** Inserts a new record; false when one with its event id exists (the claim was lost). */
  insert(record: NotificationRecord): Promise<boolean>;
  find(eventId: string): Promise<NotificationRecord | undefined>;
  /**
   * Claims attempt `attempt` of an event by a unique insert; when it was claimed already,
   * `claimedAt` tells when, so a claim whose owner died can be told from a live one.
   */
  claimAttempt(
    eventId: string,
    attempt: number,
    at: Date,
  ): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly claimedAt: Date }>;
  /** The owner of `attempt` starts sending, through `delivery` (the sender may have changed since). */
  markSending(eventId: string, attempt: number, delivery: Delivery, at: Date): Promise<void>;
  /** `attempt` delivered the mail; ignored if a later attempt took over meanwhile. */
  markSent(eventId: string, attempt: number, at: Date): Promise<void>;
  /** `attempt` failed with `error`; ignored if a later attempt took over meanwhile. */
  markFailed(eventId: string, attempt: number, error: string, at: Date): Promise<void>;
}
