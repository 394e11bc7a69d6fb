import type { Logger } from '@orderflow/platform';
import type { EmailSender } from '../domain/email-sender.js';
import { createLogSender } from './log-sender.js';
import { createSmtpSender } from './smtp-sender.js';

export interface SenderSettings {
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Ack wait of the consumers: one send must end well inside it. */
  readonly ackWaitMs: number;
}

/** The SMTP sender when SMTP_URL is set, the log sender otherwise. */
export function selectEmailSender(settings: SenderSettings, log: Logger): EmailSender {
  if (settings.smtpUrl === undefined) return createLogSender(log);
  return createSmtpSender({
    url: settings.smtpUrl,
    from: settings.mailFrom,
    timeoutMs: Math.max(1_000, Math.floor(settings.ackWaitMs / 3)),
    log,
  });
}
