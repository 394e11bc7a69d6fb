import type { Order, TerminalStatus } from '@orderflow/core';

/** One notification e-mail, composed from the order and its terminal event. */
export interface Email {
  /** The event's id; also the mail's `Message-ID` left part, so duplicates can be told apart downstream. */
  readonly eventId: string;
  readonly orderId: string;
  readonly customerId: string;
  /** Where the mail goes, as the sender's `recipientOf` gave it. */
  readonly to: string;
  readonly status: TerminalStatus;
  readonly subject: string;
  /** Plain-text body. */
  readonly text: string;
  readonly traceId: string | null;
}

/**
 * The port through which the notifier sends e-mails (SPEC §6). The log sender is the
 * default; the SMTP sender is chosen by SMTP_URL. `send` resolves once the mail is
 * handed over and rejects when it was not; the caller records and retries.
 */
export interface EmailSender {
  /** Short name, stored as the record's `channel` (`log`, `smtp`, …). */
  readonly name: string;
  /** Where a customer's mail goes, or undefined when this sender cannot reach them. */
  recipientOf(order: Pick<Order, 'customer_id' | 'customer_email'>): string | undefined;
  send(email: Email, signal: AbortSignal): Promise<void>;
  /** Releases connections; called once when the service stops. */
  close(): Promise<void>;
}
