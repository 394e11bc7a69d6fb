import { readFile } from 'node:fs/promises';
import t from 'tap';
import { ConfigError } from '@orderflow/platform';
import { loadSchedulerConfig, schedulerVariables } from '../src/config.js';

t.test('defaults follow SPEC §7', async (t) => {
  const config = loadSchedulerConfig({});

  t.match(config, {
    service: 'scheduler',
    opsPort: 9103,
    expiryIntervalMs: 60_000,
    orderTtlMs: 600_000,
    sweepIntervalMs: 5_000,
    outboxSweepMs: 10_000,
    batchSize: 100,
    leaseTermMs: 7_500,
  });
});

t.test('an invalid value is refused with the variable and the expected form', async (t) => {
  const error = t.throws(() => loadSchedulerConfig({ SCHEDULER_BATCH_SIZE: '0', LEASE_TTL_MS: 'ten' }));

  t.ok(error instanceof ConfigError);
  t.match((error as Error).message, 'SCHEDULER_BATCH_SIZE: expected a whole number from 1 to 10000 (got "0")');
  t.match((error as Error).message, 'LEASE_TTL_MS: expected a whole number from 100 to 600000 (got "ten")');
});

t.test('.env.example documents every variable the scheduler reads', async (t) => {
  const example = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
  const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));

  for (const name of Object.keys(schedulerVariables)) t.ok(documented.has(name), name);
});
