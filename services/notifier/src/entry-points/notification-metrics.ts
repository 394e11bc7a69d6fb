import { Counter, type Registry } from 'prom-client';

/** What a notification came to, for `orderflow_notifications_total` (SPEC §9). */
export type NotificationMetricResult = 'sent' | 'failed' | 'recorded' | 'duplicate' | 'busy' | 'dead_letter';

export interface NotificationMetrics {
  /** `kind`: `email` for mailed statuses, `audit` for record-only ones. */
  count(kind: 'email' | 'audit', result: NotificationMetricResult): void;
}

/** Registers the notifier's counters on the service's registry. */
export function createNotificationMetrics(registry: Registry): NotificationMetrics {
  const notifications = new Counter({
    name: 'orderflow_notifications_total',
    help: 'Terminal order events handled by the notifier, by kind and result.',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  return {
    count: (kind, result) => notifications.inc({ kind, result }),
  };
}
