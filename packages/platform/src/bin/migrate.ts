/**
 * `npm run migrate`: applies the pending migrations of SPEC §8 to MONGO_URL / MONGO_DB
 * under the migrations lease, then exits (0 on success, 1 on failure, 78 on bad config).
 */
import { ConfigError } from '../errors.js';
import { parseEnv, platformVariables } from '../config.js';
import { createLogger } from '../logger.js';
import { runMigrations } from '../migrations.js';
import { createMongo } from '../mongo.js';
import { EXIT_CONFIG } from '../service-main.js';

const { NODE_ENV, LOG_LEVEL, MONGO_URL, MONGO_DB, MONGO_MAX_POOL_SIZE, MONGO_TIMEOUT_MS, MONGO_SOCKET_TIMEOUT_MS } =
  platformVariables;

let vars;
try {
  vars = parseEnv(
    { NODE_ENV, LOG_LEVEL, MONGO_URL, MONGO_DB, MONGO_MAX_POOL_SIZE, MONGO_TIMEOUT_MS, MONGO_SOCKET_TIMEOUT_MS },
    process.env,
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(EXIT_CONFIG);
}

const log = createLogger({ service: 'migrate', version: '0', environment: vars.NODE_ENV, level: vars.LOG_LEVEL });
const mongo = createMongo(
  {
    url: vars.MONGO_URL,
    db: vars.MONGO_DB,
    maxPoolSize: vars.MONGO_MAX_POOL_SIZE,
    timeoutMs: vars.MONGO_TIMEOUT_MS,
    socketTimeoutMs: vars.MONGO_SOCKET_TIMEOUT_MS,
  },
  'orderflow-migrate',
  log,
);
try {
  const applied = await runMigrations(mongo.db, { log });
  log.info(
    { 'event.action': 'migrations-done' },
    applied.length > 0 ? `applied migrations ${applied.join(', ')}` : 'database is up to date',
  );
} catch (error) {
  log.error({ err: error, 'event.action': 'migrations-failed' }, 'migrations failed');
  process.exitCode = 1;
} finally {
  await mongo.close();
}
