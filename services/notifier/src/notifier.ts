import { createOrderStore } from '@orderflow/event-store';
import { startRuntime, TERMINAL_STATUSES, type Runtime, type ServiceOptions } from '@orderflow/platform';
import type { NotifierConfig } from './config.js';
import { createNotificationsRepository } from './data-access/notifications-repository.js';
import type { EmailSender } from './domain/email-sender.js';
import { createNotifyOrder } from './domain/notify-order.js';
import { createNotificationMetrics } from './entry-points/notification-metrics.js';
import { countDeadLetters, createTerminalHandler } from './entry-points/terminal-consumer.js';
import { selectEmailSender } from './senders/select-sender.js';

/** What tests and the all-in-one mode may hand in: a shared bus, a log destination, a sender. */
export interface NotifierOptions extends ServiceOptions {
  /** Overrides the sender chosen by SMTP_URL. */
  readonly emailSender?: EmailSender;
  /** Milliseconds since the epoch; the claim timeouts are measured with it. */
  readonly now?: () => number;
}

/**
 * Starts the notifier (SPEC §6): consumes the five terminal order events, mails the
 * customer through the EmailSender port (except for `expired`) and keeps one audit
 * record per event in `notifications`. /health, /ready and /metrics are on OPS_PORT.
 */
export async function startNotifier(
  config: NotifierConfig,
  onFatal?: (error: Error) => void,
  options: NotifierOptions = {},
): Promise<Runtime> {
  const { emailSender, now, ...shared } = options;
  const runtime = await startRuntime({ config, ...shared, ...(onFatal ? { onFatal } : {}) });
  const { mongo, bus, log, lifecycle, registry, topology } = runtime;
  try {
    const notifications = createNotificationsRepository(mongo.db);
    await notifications.ensureCollections();
    const sender =
      emailSender ??
      selectEmailSender({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, ackWaitMs: config.bus.ackWaitMs }, log);
    lifecycle.onStop('email sender', () => sender.close());

    const store = createOrderStore({ db: mongo.db, bus, log, source: 'notifier', batching: config.batching });
    const metrics = createNotificationMetrics(registry);
    const consumptions = TERMINAL_STATUSES.map((status) => {
      const durable = `notifier-${status}`;
      const notifyOrder = createNotifyOrder({
        // The snapshot alone once it has the terminal event (the writer stores it before publishing).
        loadOrder: (orderId, seq) => store.loadAtLeast(orderId, seq),
        notifications,
        sender,
        ackWaitMs: topology.consumer(durable).ackWaitMs ?? config.bus.ackWaitMs,
        ...(now ? { now } : {}),
      });
      return bus.consume(durable, createTerminalHandler(status, { notifyOrder, metrics, log }), {
        concurrency: config.notifyConcurrency,
        onOutcome: countDeadLetters(status, metrics),
      });
    });
    const graceMs = Math.floor(config.shutdownTimeoutMs * 0.6);
    lifecycle.onStop('consumers', () => Promise.all(consumptions.map((c) => c.stop(graceMs))).then(() => undefined));
    log.info(
      { 'event.action': 'notifier-started', 'email.channel': sender.name },
      `notifier started: mails through the ${sender.name} sender`,
    );
  } catch (error) {
    await runtime.stop('startup failed');
    throw error;
  }
  runtime.markStarted();
  return runtime;
}
