import t from 'tap';
import { ConfigError } from '@orderflow/platform';
import { DEV_WEBHOOK_SECRET, loadSimulatorConfig } from '@orderflow/payment-simulator';

t.test('with an empty environment the documented defaults apply', async (t) => {
  const config = loadSimulatorConfig({});
  t.match(config, {
    host: '0.0.0.0',
    port: 8090,
    shutdownTimeoutMs: 5_000,
    delayMs: 5_000,
    successRate: 0.5,
    declineRate: 0,
    seed: 1,
    chaos: { shuffle: false, duplicate: false, late: false, lateMs: 3_000 },
    webhook: {
      url: 'http://127.0.0.1:8080/webhooks/payments',
      secret: DEV_WEBHOOK_SECRET,
      maxAttempts: 50,
      retryBaseMs: 100,
      retryMaxMs: 5_000,
    },
  });
  t.equal(DEV_WEBHOOK_SECRET, 'orderflow-dev-webhook-secret');
});

t.test('a success rate above 1 names PAYMENT_SUCCESS_RATE', async (t) => {
  const error = t.throws(() => loadSimulatorConfig({ PAYMENT_SUCCESS_RATE: '1.5' })) as ConfigError;
  t.type(error, ConfigError);
  t.match(error.message, /PAYMENT_SUCCESS_RATE: expected a decimal from 0 to 1 \(got "1.5"\)/);
});

t.test('success and decline rates summing above 1 name both variables', async (t) => {
  const error = t.throws(() =>
    loadSimulatorConfig({ PAYMENT_SUCCESS_RATE: '0.8', PAYMENT_DECLINE_RATE: '0.3' }),
  ) as ConfigError;
  t.type(error, ConfigError);
  t.match(error.message, /PAYMENT_SUCCESS_RATE \+ PAYMENT_DECLINE_RATE: expected a sum of at most 1/);
  t.doesNotThrow(() => loadSimulatorConfig({ PAYMENT_SUCCESS_RATE: '0.7', PAYMENT_DECLINE_RATE: '0.3' }));
});

t.test('PAYMENT_CHAOS takes a list of modes, all, or off', async (t) => {
  const modes = (value: string) => {
    const { shuffle, duplicate, late } = loadSimulatorConfig({ PAYMENT_CHAOS: value }).chaos;
    return { shuffle, duplicate, late };
  };
  t.same(modes('shuffle, late'), { shuffle: true, duplicate: false, late: true });
  t.same(modes('duplicate'), { shuffle: false, duplicate: true, late: false });
  for (const on of ['all', '1', 'true', 'ALL']) t.same(modes(on), { shuffle: true, duplicate: true, late: true }, on);
  for (const off of ['', '0', 'false']) t.same(modes(off), { shuffle: false, duplicate: false, late: false }, off);
  t.throws(() => loadSimulatorConfig({ PAYMENT_CHAOS: 'shuffle,monkeys' }), /PAYMENT_CHAOS: expected a comma list/);
});

t.test('production requires PAYMENT_WEBHOOK_SECRET', async (t) => {
  t.throws(() => loadSimulatorConfig({ NODE_ENV: 'production' }), /PAYMENT_WEBHOOK_SECRET: required/);
  const config = loadSimulatorConfig({ NODE_ENV: 'production', PAYMENT_WEBHOOK_SECRET: 's3cret' });
  t.equal(config.webhook.secret, 's3cret');
});

t.test('other invalid values name their variable', async (t) => {
  t.throws(() => loadSimulatorConfig({ PAYMENT_WEBHOOK_URL: 'ftp://x' }), /PAYMENT_WEBHOOK_URL/);
  t.throws(() => loadSimulatorConfig({ PAYMENT_DELAY_MS: 'soon' }), /PAYMENT_DELAY_MS/);
  t.throws(() => loadSimulatorConfig({ PAYMENT_SEED: '1.5' }), /PAYMENT_SEED/);
  t.throws(() => loadSimulatorConfig({ PAYMENT_WEBHOOK_MAX_ATTEMPTS: '0' }), /PAYMENT_WEBHOOK_MAX_ATTEMPTS/);
  t.throws(() => loadSimulatorConfig({ PORT: '70000' }), /PORT/);
});
