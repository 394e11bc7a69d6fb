import { OrderflowError } from '@orderflow/platform';

/** Another instance is sending this event's mail right now; the message is retried later. */
export class NotificationBusyError extends OrderflowError {
  constructor(eventId: string, reason: string) {
    super('ERR_NOTIFICATION_BUSY', `notification ${eventId} is busy: ${reason}`);
  }
}

/** The e-mail sender failed; the message is retried with backoff, then dead-lettered. */
export class EmailSendError extends OrderflowError {
  constructor(eventId: string, attempt: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('ERR_EMAIL_SEND', `sending the mail of ${eventId} failed on attempt ${attempt}: ${why}`, { cause });
  }
}
