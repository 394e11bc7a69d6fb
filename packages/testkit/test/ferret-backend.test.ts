import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import t from 'tap';

import { type ServerHandle, type StartOptions, startMongo, type Teardownable, uniqueName } from '@orderflow/testkit';

import {
  pgConnect,
  pgDatabaseExists,
  pgQuery,
  pgUrl,
  postgresAdminUrl,
  postgresSkipReason,
} from './support/postgres.js';
import { ownServers, withMongo } from './support/servers.js';

const unreachableUrl = 'postgres://postgres:not-shown@127.0.0.1:1/postgres';
const hourMs = 60 * 60 * 1_000;
const skipPostgres = await postgresSkipReason();

function backendEnv(backend: string, postgresqlUrl = postgresAdminUrl): NodeJS.ProcessEnv {
  return { ...ownServers, FERRETDB_BACKEND: backend, FERRETDB_POSTGRESQL_URL: postgresqlUrl };
}

interface LoggedServer {
  mongo: ServerHandle;
  lines: string[];
  /** The PostgreSQL database named in the backend line, if any. */
  database: string | undefined;
}

/** Starts FerretDB, keeping its log lines, and stops it when `test` ends. */
async function startLogged(test: Teardownable, options: StartOptions): Promise<LoggedServer> {
  const lines: string[] = [];
  const mongo = await startMongo({ ...options, log: (line) => lines.push(line) });
  test.teardown(() => mongo.stop());
  const database = /database (orderflow_[a-z0-9_]+)/.exec(lines.join('\n'))?.[1];
  return { mongo, lines, database };
}

/** Inserts one order and reads it back, as the pipeline would. */
async function insertAndFind(url: string, dbName: string, orderId: string): Promise<unknown> {
  return withMongo(url, async (client) => {
    const db = client.db(dbName);
    await db.collection('orders').insertOne({ orderId, totalCents: 1_250 });
    return db.collection('orders').findOne({ orderId }, { projection: { _id: 0 } });
  });
}

async function eventually(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await delay(50);
  }
}

t.test('postgresql: a database of its own while running, dropped by stop()', { skip: skipPostgres }, async (t) => {
  const { mongo, lines, database } = await startLogged(t, { env: backendEnv('postgresql') });
  t.match(lines[0], /^ferretdb: PostgreSQL backend \(FERRETDB_BACKEND=postgresql\)/);
  if (database === undefined) throw new Error(`no database in the log: ${lines.join('\n')}`);
  t.match(database, /^orderflow_t_[a-z0-9]+_[a-z0-9]{8}$/);
  t.ok(await pgDatabaseExists(database), 'the database exists while FerretDB runs');
  const { pid, dataDir } = mongo;
  if (pid === undefined || dataDir === undefined) throw new Error('a started server has a pid and a data dir');
  t.match(dataDir, /orderflow-ferretdb-/);

  const dbName = uniqueName('testkit');
  await withMongo(mongo.url, async (client) => {
    t.same(await client.db(dbName).command({ ping: 1 }), { ok: 1 });
  });
  t.same(await insertAndFind(mongo.url, dbName, 'o-1'), { orderId: 'o-1', totalCents: 1_250 });
  const schemas = await pgQuery('SELECT 1 FROM pg_namespace WHERE nspname = $1', [dbName], pgUrl(database));
  t.equal(schemas.length, 1, 'the MongoDB database is stored in PostgreSQL');

  await mongo.stop();
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  t.notOk(existsSync(dataDir), 'state dir removed');
  t.notOk(await pgDatabaseExists(database), 'the database is dropped');
  await mongo.stop();
  t.pass('stop() is idempotent');
});

t.test('postgresql: SIGKILL and restart() keep the database and its data', { skip: skipPostgres }, async (t) => {
  const { mongo, database } = await startLogged(t, { env: backendEnv('postgresql') });
  if (database === undefined) throw new Error('a PostgreSQL-backed start names its database');
  const { url, pid: firstPid } = mongo;
  const dbName = uniqueName('restart');
  await insertAndFind(url, dbName, 'o-2');

  mongo.kill('SIGKILL');
  await eventually(() => mongo.pid === undefined, 'the handle notices the exit');
  t.ok(await pgDatabaseExists(database), 'the database survives the kill');

  await mongo.restart();
  t.equal(mongo.url, url, 'same port');
  t.not(mongo.pid, firstPid, 'a new process');
  const found = await withMongo(url, (client) =>
    client
      .db(dbName)
      .collection('orders')
      .findOne({ orderId: 'o-2' }, { projection: { _id: 0 } }),
  );
  t.same(found, { orderId: 'o-2', totalCents: 1_250 }, 'the order survived');
});

t.test(
  'postgresql: keepData keeps the database under a name the stale sweep ignores',
  { skip: skipPostgres },
  async (t) => {
    const { mongo, database } = await startLogged(t, { env: backendEnv('postgresql'), keepData: true });
    const dataDir = mongo.dataDir;
    if (database === undefined || dataDir === undefined) throw new Error('a started server has a database and a dir');
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    t.teardown(() => pgQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    t.match(database, /^orderflow_kept_/);
    await mongo.stop();
    t.ok(await pgDatabaseExists(database), 'kept after stop()');
    t.ok(existsSync(dataDir), 'and so is the state dir');
  },
);

t.test('postgresql: a start drops unused throwaway databases older than 2 hours', { skip: skipPostgres }, async (t) => {
  const threeHoursAgo = (Date.now() - 3 * hourMs).toString(36);
  const stale = `orderflow_t_${threeHoursAgo}_stale000`;
  const inUse = `orderflow_t_${threeHoursAgo}_inuse000`;
  const recent = `orderflow_t_${(Date.now() - hourMs).toString(36)}_recent00`;
  const names = [stale, inUse, recent];
  for (const name of names) await pgQuery(`CREATE DATABASE ${name}`);
  t.teardown(async () => {
    for (const name of names) await pgQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const holder = await pgConnect(pgUrl(inUse));
  t.teardown(() => holder.end());

  await startLogged(t, { env: backendEnv('postgresql') });
  t.notOk(await pgDatabaseExists(stale), 'the 3 h old database is gone');
  t.ok(await pgDatabaseExists(inUse), 'a 3 h old database someone is connected to is left alone');
  t.ok(await pgDatabaseExists(recent), 'the 1 h old database is left alone');
});

t.test('auto picks PostgreSQL when it is usable', { skip: skipPostgres }, async (t) => {
  const { mongo, lines, database } = await startLogged(t, { env: backendEnv('auto') });
  t.match(lines[0], /^ferretdb: PostgreSQL backend \(FERRETDB_BACKEND=auto and the server accepted CREATE DATABASE\)/);
  if (database === undefined) throw new Error('a PostgreSQL-backed start names its database');
  await mongo.stop();
  t.notOk(await pgDatabaseExists(database));
});

t.test('sqlite: stores the data in files of the data dir', async (t) => {
  const { mongo, lines, database } = await startLogged(t, { env: backendEnv('sqlite') });
  t.equal(lines[0], 'ferretdb: SQLite backend (FERRETDB_BACKEND=sqlite)');
  t.equal(database, undefined);
  const dbName = uniqueName('sqlite');
  t.same(await insertAndFind(mongo.url, dbName, 'o-3'), { orderId: 'o-3', totalCents: 1_250 });
  const dataDir = mongo.dataDir;
  if (dataDir === undefined) throw new Error('a started server has a data dir');
  t.ok(
    readdirSync(dataDir).some((file) => file.endsWith('.sqlite')),
    'SQLite files in the data dir',
  );
  await mongo.stop();
  t.notOk(existsSync(dataDir), 'data dir removed');
});

t.test('auto falls back to SQLite when PostgreSQL refuses connections', async (t) => {
  const { mongo, lines } = await startLogged(t, { env: backendEnv('auto', unreachableUrl) });
  t.match(lines[0], /^ferretdb: SQLite backend \(FERRETDB_BACKEND=auto and PostgreSQL at FERRETDB_POSTGRESQL_URL=/);
  t.match(lines[0], /ECONNREFUSED/);
  t.notMatch(lines[0], /not-shown/, 'the password is not logged');
  await withMongo(mongo.url, async (client) => {
    t.same(await client.db(uniqueName('fallback')).command({ ping: 1 }), { ok: 1 });
  });
});

t.test('auto gives up on a PostgreSQL that does not answer within about a second', async (t) => {
  // Accepts connections and never says a word, like a server stuck under load.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1');
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  await new Promise((resolve) => silent.once('listening', resolve));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('the silent server has a TCP address');

  const startedMs = Date.now();
  const { lines } = await startLogged(t, {
    env: backendEnv('auto', `postgres://postgres@127.0.0.1:${address.port}/postgres`),
  });
  t.match(lines[0], /^ferretdb: SQLite backend \(FERRETDB_BACKEND=auto/);
  // A silent server must not hang the start: the probe gives up after about a second.
  t.ok(Date.now() - startedMs < 30_000, `started in ${Date.now() - startedMs} ms`);
});

t.test('postgresql fails clearly when PostgreSQL cannot be used', async (t) => {
  await t.rejects(startMongo({ env: backendEnv('postgresql', unreachableUrl) }), {
    message:
      'FERRETDB_BACKEND=postgresql, but PostgreSQL at FERRETDB_POSTGRESQL_URL=postgres://postgres:***@127.0.0.1:1/postgres cannot be used: connect ECONNREFUSED 127.0.0.1:1',
  });
});

t.test('an unknown FERRETDB_BACKEND is an error', async (t) => {
  await t.rejects(startMongo({ env: backendEnv('mysql') }), {
    message: 'FERRETDB_BACKEND=mysql is not one of sqlite, postgresql, auto',
  });
});
