import {
  ConfigError,
  env,
  parseEnv,
  platformVariables,
  toPlatformConfig,
  type PlatformConfig,
} from '@orderflow/platform';

export const DEFAULT_MAIL_FROM = 'Orderflow <no-reply@orderflow.local>';

const SMTP_PROTOCOLS = ['smtp:', 'smtps:'];
/** `Name <address>` or a bare address, on one line. */
const MAIL_FROM_PATTERN = /^([^\r\n<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/** Every variable the service reads. */
export const notifierVariables = {
  ...platformVariables,
  // Checked in loadNotifierConfig: the URL may hold a password, so a bad value is never echoed.
  SMTP_URL: env.text().optional(),
  MAIL_FROM: env
    .text()
    .trim()
    .regex(MAIL_FROM_PATTERN, { error: 'expected an address like "Orderflow <no-reply@example.com>"' })
    .default(DEFAULT_MAIL_FROM),
  NOTIFY_CONCURRENCY: env.int(1, 1_000).default(16),
} as const;

export interface NotifierConfig extends PlatformConfig {
  /** SMTP server of the SMTP sender; undefined selects the log sender. */
  readonly smtpUrl: string | undefined;
  /** `From` of every mail. */
  readonly mailFrom: string;
  /** Messages handled at once per terminal-status consumer. */
  readonly notifyConcurrency: number;
}

/** The notifier's configuration: the platform's plus the e-mail sender and concurrency. */
export function loadNotifierConfig(
  source: Readonly<Record<string, string | undefined>>,
  version = '0.0.0',
): NotifierConfig {
  const vars = parseEnv(notifierVariables, source);
  const smtpUrl = vars.SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined && !isSmtpUrl(smtpUrl)) {
    throw new ConfigError([
      'SMTP_URL: expected a URL starting with smtp:// or smtps://, e.g. smtp://user:pass@host:587',
    ]);
  }
  return {
    ...toPlatformConfig('notifier', vars, version),
    smtpUrl,
    mailFrom: vars.MAIL_FROM,
    notifyConcurrency: vars.NOTIFY_CONCURRENCY,
  };
}

function isSmtpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return SMTP_PROTOCOLS.includes(url.protocol) && url.hostname !== '';
}
