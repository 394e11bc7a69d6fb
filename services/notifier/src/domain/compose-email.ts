import { formatMinor, type Order, type TerminalStatus } from '@orderflow/core';
import type { Email } from './email-sender.js';
import type { TerminalEvent } from './terminal-event.js';

const HEADLINES: Readonly<Record<TerminalStatus, string>> = {
  completed: 'has been completed',
  failed: 'could not be completed: the payment did not go through',
  rejected: 'was rejected',
  expired: 'expired before it could be completed',
  cancelled: 'was cancelled',
};

/** The log line of a sent mail (SPEC §6), the same whatever the sender. */
export function mailLogMessage(customerId: string, orderId: string, status: TerminalStatus): string {
  return `Email sent to customer ${maskAddress(customerId)} for Order #${orderId} - Status: ${status}`;
}

/**
 * A customer id may be the customer's e-mail address (the api accepts one there), which
 * must not reach info-level logs in clear: `ann@example.com` → `a***@example.com`.
 */
export function maskAddress(text: string): string {
  const at = text.lastIndexOf('@');
  if (at <= 0) return text;
  return `${text.slice(0, 1)}***${text.slice(at)}`;
}

/** The mail telling the customer their order reached `event.status`: plain text, no markup. */
export function composeEmail(event: TerminalEvent, order: Order, to: string): Email {
  const lines = [
    'Hello,',
    '',
    `Your order #${order.id} ${HEADLINES[event.status]}.`,
    '',
    `Order: ${order.id}`,
    `Status: ${event.status}`,
    `Total: ${formatMinor(order.total_minor)} ${order.currency}`,
  ];
  if (order.reasons.length > 0) {
    lines.push('Reasons:', ...order.reasons.map((reason) => `- ${reason.message}`));
  } else if (order.status_reason) {
    lines.push(`Reason: ${order.status_reason}`);
  }
  lines.push('', `Reference: ${event.id}`, '');
  return {
    eventId: event.id,
    orderId: order.id,
    customerId: order.customer_id,
    to,
    status: event.status,
    subject: `Order #${order.id}: ${event.status}`,
    text: lines.join('\n'),
    traceId: event.traceId,
  };
}
