import { createTransport } from 'nodemailer';
import type { Logger } from '@orderflow/platform';
import { mailLogMessage } from '../domain/compose-email.js';
import type { EmailSender } from '../domain/email-sender.js';

export interface SmtpSenderOptions {
  /** `smtp://user:pass@host:587` or `smtps://…`; nodemailer's URL options apply. */
  readonly url: string;
  /** `From` of every mail. */
  readonly from: string;
  /** Connect, greeting and inactivity limit of one SMTP conversation. */
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** A loose check: the SMTP server has the final word on an address. */
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * Sends each mail to an SMTP server with nodemailer: plain text, `Message-ID:
 * <event id@orderflow>` so that a mail sent twice (a crash between sending and
 * recording) is recognisable downstream. Customers are mailed at `customer_email`, or at
 * their id when it is an address.
 */
export function createSmtpSender(options: SmtpSenderOptions): EmailSender {
  const transport = createTransport(
    {
      url: options.url,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    },
    { from: options.from },
  );
  return {
    name: 'smtp',
    recipientOf(order) {
      if (order.customer_email && ADDRESS.test(order.customer_email)) return order.customer_email;
      return ADDRESS.test(order.customer_id) ? order.customer_id : undefined;
    },
    async send(email, signal) {
      signal.throwIfAborted();
      const messageId = `<${email.eventId}@orderflow>`;
      await transport.sendMail({
        to: email.to,
        subject: email.subject,
        text: email.text,
        messageId,
        headers: { 'X-Orderflow-Order-Id': email.orderId, 'X-Orderflow-Event-Id': email.eventId },
      });
      options.log.info(
        {
          'order.id': email.orderId,
          'event.action': 'email-sent',
          'event.id': email.eventId,
          'email.message_id': messageId,
          'email.subject': email.subject,
          ...(email.traceId ? { 'trace.id': email.traceId } : {}),
        },
        mailLogMessage(email.customerId, email.orderId, email.status),
      );
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
