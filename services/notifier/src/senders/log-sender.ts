import type { Logger } from '@orderflow/platform';
import { mailLogMessage } from '../domain/compose-email.js';
import type { EmailSender } from '../domain/email-sender.js';

/**
 * The default sender (SPEC §6): a mail is one info line, `Email sent to customer <id>
 * for Order #<id> - Status: <status>`. The customer id stands in for the address, which
 * never reaches the log.
 */
export function createLogSender(log: Logger): EmailSender {
  return {
    name: 'log',
    recipientOf: (order) => order.customer_id,
    send(email) {
      log.info(
        {
          'order.id': email.orderId,
          'event.action': 'email-sent',
          'event.id': email.eventId,
          'email.subject': email.subject,
          ...(email.traceId ? { 'trace.id': email.traceId } : {}),
        },
        mailLogMessage(email.customerId, email.orderId, email.status),
      );
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
