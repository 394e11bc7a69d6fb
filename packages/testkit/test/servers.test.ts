import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import t from 'tap';

import {
  findBinary,
  freePort,
  ServerStartError,
  startMongo,
  startNats,
  uniqueName,
  useTestServers,
  waitForPort,
} from '@orderflow/testkit';

import { ownServers, withMongo } from './support/servers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'start-servers.ts');
const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** Alive and not a zombie waiting for a parent that may never reap it. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !existsSync('/proc/self');
  }
}

/** Pids whose parent is this process (Linux only; [] elsewhere). */
function childPids(): number[] {
  if (!existsSync('/proc/self')) return [];
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid) children.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return children;
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
async function eventually(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await delay(50);
  }
}

/** The first line a NATS server sends on a new connection. */
function readFirstLine(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: hostname, port: Number(port) });
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no data from ${url}`)));
    socket.once('error', reject);
    createInterface({ input: socket }).once('line', (line) => {
      socket.destroy();
      resolve(line);
    });
  });
}

t.test('uniqueName, freePort and waitForPort', async (t) => {
  const first = uniqueName('Orders-Test');
  t.match(first, /^orders_test_[a-z0-9]+$/);
  t.not(first, uniqueName('Orders-Test'));

  const port = await freePort();
  t.ok(port > 0 && port < 65_536);
  const started = Date.now();
  await t.rejects(waitForPort('127.0.0.1', port, 300), /Timed out after 300 ms/);
  t.ok(Date.now() - started < 5_000, 'gives up near its timeout');

  const server = createServer().listen(port, '127.0.0.1');
  t.teardown(() => void server.close());
  await waitForPort('127.0.0.1', port, 5_000);
});

t.test('findBinary finds both servers and trusts an explicit path only if it works', async (t) => {
  t.match(await findBinary('nats-server'), /nats-server$/);
  t.match(await findBinary('ferretdb'), /ferretdb$/);
  const env = { ...process.env, NATS_SERVER_BIN: '/nonexistent/nats-server' };
  await t.rejects(findBinary('nats-server', env), {
    message: 'NATS_SERVER_BIN=/nonexistent/nats-server is not an executable file',
  });
});

t.test('nats-server answers with INFO and stop() leaves nothing behind', async (t) => {
  const nats = await startNats({ env: ownServers });
  t.teardown(() => nats.stop());
  t.match(nats.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
  t.equal(nats.external, false);
  const pid = nats.pid;
  const dataDir = nats.dataDir;
  if (pid === undefined || dataDir === undefined) throw new Error('a started server has a pid and a data dir');
  t.match(dataDir, /orderflow-nats-/);

  const info = await readFirstLine(nats.url);
  t.match(info, /^INFO \{/);
  t.match(info, /"jetstream":true/);
  t.ok(existsSync(join(dataDir, 'server.log')), 'keeps its log in the data dir');

  await nats.stop();
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  t.notOk(existsSync(dataDir), 'temp dir removed');
  t.equal(nats.pid, undefined);
  await nats.stop();
  t.pass('stop() is idempotent');
});

t.test('ferretdb answers ping, insert and find; stop() leaves nothing behind', async (t) => {
  const mongo = await startMongo({ env: ownServers });
  t.teardown(() => mongo.stop());
  t.match(mongo.url, /^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
  const pid = mongo.pid;
  const dataDir = mongo.dataDir;
  if (pid === undefined || dataDir === undefined) throw new Error('a started server has a pid and a data dir');
  t.match(dataDir, /orderflow-ferretdb-/);

  const found = await withMongo(mongo.url, async (client) => {
    const db = client.db(uniqueName('testkit'));
    t.same(await db.command({ ping: 1 }), { ok: 1 });
    await db.collection('orders').insertOne({ orderId: 'o-1', totalCents: 1_250 });
    return db.collection('orders').findOne({ orderId: 'o-1' }, { projection: { _id: 0 } });
  });
  t.same(found, { orderId: 'o-1', totalCents: 1_250 });

  await mongo.stop();
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  t.notOk(existsSync(dataDir), 'temp dir removed');
});

t.test('nats-server killed with SIGKILL restarts on the same store and port', async (t) => {
  const nats = await startNats({ env: ownServers });
  t.teardown(() => nats.stop());
  const { url, pid: firstPid, dataDir } = nats;
  if (firstPid === undefined || dataDir === undefined) throw new Error('a started server has a pid and a data dir');
  const stream = uniqueName('restart').replace(/_/g, '');

  const before = await natsConnect({ servers: url });
  try {
    const jsm = await jetstreamManager(before);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await jetstream(before).publish(`${stream}.created`, 'order o-1');
  } finally {
    await before.close();
  }

  nats.kill('SIGKILL');
  await eventually(() => !isRunning(firstPid), `pid ${firstPid} is gone`);
  await eventually(() => nats.pid === undefined, 'the handle notices the exit');
  t.ok(existsSync(join(dataDir, 'jetstream')), 'store dir survives the kill');

  await nats.restart();
  t.equal(nats.url, url, 'same port');
  t.not(nats.pid, firstPid, 'a new process');
  t.match(await readFirstLine(url), /^INFO /);

  const after = await natsConnect({ servers: url });
  try {
    const info = await (await jetstreamManager(after)).streams.info(stream);
    t.equal(info.state.messages, 1, 'the stream and its message survived');
  } finally {
    await after.close();
  }
});

t.test('a failed start reports the server log', async (t) => {
  const blocker = createServer().listen(0, '127.0.0.1');
  t.teardown(() => void blocker.close());
  await new Promise((resolve) => blocker.once('listening', resolve));
  const address = blocker.address();
  if (address === null || typeof address === 'string') throw new Error('blocker has a TCP address');

  const error = await startNats({ port: address.port, env: ownServers }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  t.type(error, ServerStartError);
  t.match(String(error), /address already in use/);
});

t.test('useTestServers starts both and registers their stop as teardown', async (t) => {
  const teardowns: Array<() => unknown> = [];
  const servers = await useTestServers({ teardown: (fn) => teardowns.push(fn) }, { env: ownServers });
  t.teardown(() => servers.stop());
  t.equal(teardowns.length, 1);
  t.match(servers.namespace, /^[a-z][a-z0-9]+$/);
  t.match(servers.dbName, /^[a-z0-9_]{1,63}$/);
  t.equal(servers.natsUrl, servers.nats.url);
  t.equal(servers.mongoUrl, servers.mongo.url);
  t.match(await readFirstLine(servers.natsUrl), /^INFO /);
  await withMongo(servers.mongoUrl, async (client) => {
    t.same(await client.db(servers.dbName).command({ ping: 1 }), { ok: 1 });
  });

  const pids = [servers.nats.pid, servers.mongo.pid];
  await teardowns[0]?.();
  for (const pid of pids) {
    if (pid === undefined) throw new Error('started servers have pids');
    t.notOk(isRunning(pid), `pid ${pid} stopped by the teardown`);
  }
});

t.test('a SIGKILLed parent leaves no server and no temp dir behind', async (t) => {
  const child = spawn(process.execPath, ['--conditions=orderflow-source', '--import', 'tsx', fixture], {
    cwd: repoRoot,
    // A SIGKILLed process cannot drop a PostgreSQL database (only a later start's stale
    // sweep would, hours later); the guard's guarantees do not depend on the backend.
    env: { ...ownServers, FERRETDB_BACKEND: 'sqlite' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}: ${stderr}`)));
  });
  const { pids, dataDirs } = JSON.parse(line) as { pids: number[]; dataDirs: string[] };
  t.equal(pids.length, 2);
  for (const pid of pids) t.ok(isRunning(pid), `server pid ${pid} runs while its parent does`);

  child.kill('SIGKILL');
  await eventually(() => pids.every((pid) => !isRunning(pid)), `servers ${pids.join(', ')} are gone`);
  await eventually(() => dataDirs.every((dir) => !existsSync(dir)), 'temp dirs are removed');
  t.pass('servers and temp dirs are gone');
});

t.test('NATS_URL and MONGO_URL give external handles and start nothing', async (t) => {
  const saved = { NATS_URL: process.env.NATS_URL, MONGO_URL: process.env.MONGO_URL };
  t.teardown(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  // Nothing listens there: an external handle must not even try to connect.
  process.env.NATS_URL = 'nats://127.0.0.1:1';
  process.env.MONGO_URL = 'mongodb://127.0.0.1:1/';
  const childrenBefore = childPids();

  const nats = await startNats();
  t.same(
    { url: nats.url, external: nats.external, pid: nats.pid, dataDir: nats.dataDir },
    { url: 'nats://127.0.0.1:1', external: true, pid: undefined, dataDir: undefined },
  );
  const mongo = await startMongo();
  t.same(
    { url: mongo.url, external: mongo.external, pid: mongo.pid, dataDir: mongo.dataDir },
    { url: 'mongodb://127.0.0.1:1/', external: true, pid: undefined, dataDir: undefined },
  );
  const servers = await useTestServers(t);
  t.equal(servers.natsUrl, 'nats://127.0.0.1:1');
  t.equal(servers.mongoUrl, 'mongodb://127.0.0.1:1/');
  t.ok(servers.nats.external && servers.mongo.external);
  const again = await useTestServers(t);
  t.not(again.namespace, servers.namespace, 'a fresh namespace per call');
  t.not(again.dbName, servers.dbName, 'a fresh database per call');

  nats.kill('SIGKILL');
  await nats.restart();
  await nats.stop();
  t.same(childPids(), childrenBefore, 'no process was started');
});
