import t from 'tap';
import { ConfigError } from '@orderflow/platform';
import { DEFAULT_MAIL_FROM, loadNotifierConfig, notifierVariables } from '../src/config.js';

t.test('the defaults select the log sender on ops port 9102 with 16 messages at once', async (t) => {
  const config = loadNotifierConfig({});

  t.equal(config.service, 'notifier');
  t.equal(config.opsPort, 9102);
  t.equal(config.smtpUrl, undefined);
  t.equal(config.mailFrom, DEFAULT_MAIL_FROM);
  t.equal(config.notifyConcurrency, 16);
});

t.test('SMTP_URL, MAIL_FROM and NOTIFY_CONCURRENCY are read', async (t) => {
  const config = loadNotifierConfig({
    SMTP_URL: 'smtp://user:pass@mail.internal:587',
    MAIL_FROM: 'Shop <shop@example.com>',
    NOTIFY_CONCURRENCY: '4',
  });

  t.equal(config.smtpUrl, 'smtp://user:pass@mail.internal:587');
  t.equal(config.mailFrom, 'Shop <shop@example.com>');
  t.equal(config.notifyConcurrency, 4);
});

t.test('an invalid SMTP_URL is named without echoing its credentials', async (t) => {
  const error = t.throws(() => loadNotifierConfig({ SMTP_URL: 'http://user:secret@mail.internal' })) as ConfigError;

  t.type(error, ConfigError);
  t.match(error.message, 'SMTP_URL: expected a URL starting with smtp:// or smtps://');
  t.notMatch(error.message, 'secret');
});

t.test('a bad MAIL_FROM or NOTIFY_CONCURRENCY names the variable and the expected form', async (t) => {
  const error = t.throws(() => loadNotifierConfig({ MAIL_FROM: 'nobody', NOTIFY_CONCURRENCY: '0' })) as ConfigError;

  t.match(error.message, 'MAIL_FROM: expected an address like "Orderflow <no-reply@example.com>"');
  t.match(error.message, 'NOTIFY_CONCURRENCY: expected a whole number from 1 to 1000');
});

t.test('the variables include the platform ones and the notifier ones', async (t) => {
  for (const name of ['NATS_URL', 'MONGO_URL', 'ACK_WAIT_MS', 'SMTP_URL', 'MAIL_FROM', 'NOTIFY_CONCURRENCY']) {
    t.ok(name in notifierVariables, name);
  }
});
