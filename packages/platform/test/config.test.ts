import { readFile } from 'node:fs/promises';
import t from 'tap';
import { ConfigError, loadPlatformConfig, platformVariables } from '@orderflow/platform';

t.test('with an empty environment every default runs on one machine', async (t) => {
  const config = loadPlatformConfig('processor', {});
  t.equal(config.opsPort, 9101);
  t.equal(config.nats.url, 'nats://127.0.0.1:4222');
  t.equal(config.mongo.url, 'mongodb://127.0.0.1:27017');
  t.equal(config.mongo.db, 'orderflow');
  t.equal(config.bus.kind, 'jetstream');
  t.equal(config.bus.maxDeliver, 4);
  t.same(config.bus.backoffMs, [1_000, 5_000, 30_000]);
  t.equal(config.shutdownTimeoutMs, 10_000);
});

t.test('each service has its own default ops port and the api serves ops on PORT', async (t) => {
  t.equal(loadPlatformConfig('notifier', {}).opsPort, 9102);
  t.equal(loadPlatformConfig('scheduler', {}).opsPort, 9103);
  t.equal(loadPlatformConfig('api', { PORT: '8181' }).opsPort, 8181);
});

t.test('values are parsed into their types', async (t) => {
  const config = loadPlatformConfig('processor', {
    OPS_PORT: '9999',
    RETRY_BACKOFF_MS: '10, 20,30',
    EVENT_BUS: 'memory',
    NATS_NAMESPACE: 'tenant-a',
  });
  t.equal(config.opsPort, 9999);
  t.same(config.bus.backoffMs, [10, 20, 30]);
  t.equal(config.bus.kind, 'memory');
  t.equal(config.bus.namespace, 'tenant-a');
});

t.test('an empty value counts as unset', async (t) => {
  t.equal(loadPlatformConfig('processor', { OPS_PORT: '' }).opsPort, 9101);
});

t.test('an invalid value names the variable, the expected form and the value', async (t) => {
  const error = t.throws(() => loadPlatformConfig('processor', { OPS_PORT: 'ninety' })) as ConfigError;
  t.type(error, ConfigError);
  t.match(error.message, /OPS_PORT: expected a whole number from 0 to 65535 \(got "ninety"\)/);
});

t.test('every invalid variable is reported at once', async (t) => {
  const error = t.throws(() =>
    loadPlatformConfig('processor', { LOG_LEVEL: 'loud', NATS_URL: 'http://x', RETRY_BACKOFF_MS: '1,a' }),
  ) as ConfigError;
  t.equal(error.issues.length, 3);
  t.match(error.message, /LOG_LEVEL: expected one of fatal, error/);
  t.match(error.message, /NATS_URL: expected a URL starting with nats:\/\//);
  t.match(error.message, /RETRY_BACKOFF_MS: expected comma-separated whole milliseconds/);
});

t.test('a secret is never echoed in the error', async (t) => {
  const error = t.throws(() => loadPlatformConfig('processor', { MONGO_URL: 'postgres://user:s3cret@db' })) as Error;
  t.match(error.message, /MONGO_URL/);
  t.notMatch(error.message, /s3cret/);
});

t.test('out-of-range numbers are refused', async (t) => {
  t.throws(() => loadPlatformConfig('processor', { OPS_PORT: '70000' }), /OPS_PORT/);
  t.throws(() => loadPlatformConfig('processor', { RETRY_MAX_DELIVER: '0' }), /RETRY_MAX_DELIVER/);
});

t.test('.env.example documents every variable the services read', async (t) => {
  const example = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
  const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  for (const name of Object.keys(platformVariables)) t.ok(documented.has(name), `${name} is in .env.example`);
});
