import type { TerminalStatus } from '@orderflow/core';
import { inSpan, PermanentError, type Logger, type MessageHandler, type MessageOutcome } from '@orderflow/platform';
import type { NotifyOrder } from '../domain/notify-order.js';
import { isMailed } from '../domain/terminal-event.js';
import { terminalEventOf } from './envelope.js';
import { EmailSendError, NotificationBusyError } from './errors.js';
import type { NotificationMetrics } from './notification-metrics.js';

export interface TerminalConsumerDependencies {
  readonly notifyOrder: NotifyOrder;
  readonly metrics: NotificationMetrics;
  readonly log: Logger;
}

/**
 * Handles `order.<status>` for one terminal status: parses the envelope, runs the
 * notification use case and maps its outcome to the bus — return to ack, a transient
 * error to retry with backoff, a PermanentError to dead-letter at once.
 */
export function createTerminalHandler(status: TerminalStatus, deps: TerminalConsumerDependencies): MessageHandler {
  const kind = isMailed(status) ? 'email' : 'audit';
  return async (message, signal) => {
    const event = terminalEventOf(message, status);
    const fields = { 'order.id': event.orderId, 'event.id': event.id, ...traceField(event.traceId) };
    const result = await inSpan(`notify ${event.type}`, { attributes: { 'order.id': event.orderId } }, async (span) => {
      const result = await deps.notifyOrder(event, signal, () => message.working());
      span.setAttributes({ 'orderflow.notification.kind': kind, 'orderflow.notification.outcome': result.outcome });
      return result;
    });
    switch (result.outcome) {
      case 'sent':
        deps.metrics.count(kind, 'sent');
        return;
      case 'recorded':
        deps.metrics.count(kind, 'recorded');
        deps.log.debug({ ...fields, 'event.action': 'notification-recorded' }, `recorded ${event.type}, no mail due`);
        return;
      case 'duplicate':
        deps.metrics.count(kind, 'duplicate');
        deps.log.debug(
          { ...fields, 'event.action': 'notification-duplicate' },
          `${event.id} was handled already (${result.result})`,
        );
        return;
      case 'busy':
        deps.metrics.count(kind, 'busy');
        throw new NotificationBusyError(event.id, result.reason);
      case 'failed':
        deps.metrics.count(kind, 'failed');
        throw new EmailSendError(event.id, result.attempt, result.error);
      case 'unknown_order':
        throw new PermanentError(`order ${event.orderId} of ${event.id} is unknown`, { code: 'ERR_UNKNOWN_ORDER' });
      case 'unaddressable':
        deps.metrics.count(kind, 'failed');
        throw new PermanentError(result.reason, { code: 'ERR_UNADDRESSABLE' });
    }
  };
}

/** Counts dead letters of a terminal consumer (the bus decides when a message is one). */
export function countDeadLetters(status: TerminalStatus, metrics: NotificationMetrics) {
  const kind = isMailed(status) ? 'email' : 'audit';
  return (outcome: MessageOutcome) => {
    if (outcome.result === 'dlq') metrics.count(kind, 'dead_letter');
  };
}

function traceField(traceId: string | null): Record<string, string> {
  return traceId ? { 'trace.id': traceId } : {};
}
