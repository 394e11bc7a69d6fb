import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { setImmediate as nextPhase, setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { MongoError } from 'mongodb';
import { createMongo } from '@orderflow/platform';
import { startMongo, uniqueName } from '@orderflow/testkit';

/** A server of this file's own, even in a run pointed at an external one: the test kills it. */
const ownServers: NodeJS.ProcessEnv = { ...process.env };
delete ownServers.MONGO_URL;

t.test('a command on a connection the server has just closed fails at once, it does not hang', async (t) => {
  const server = await startMongo({ env: ownServers });
  t.teardown(() => server.stop());
  const port = Number(new URL(server.url).port);

  // Every socket the driver opens to the server, to see the moment one is destroyed.
  const sockets: Socket[] = [];
  const onSocket = ({ socket }: { socket: Socket }) => void sockets.push(socket);
  subscribe('net.client.socket', onSocket as (message: unknown) => void);
  t.teardown(() => unsubscribe('net.client.socket', onSocket as (message: unknown) => void));

  const mongo = createMongo({ url: server.url, db: uniqueName('closed'), maxPoolSize: 1, timeoutMs: 1_000 }, 'test');
  t.teardown(() => mongo.close());
  await mongo.ping();
  const pooled = sockets.filter((socket) => socket.remotePort === port);
  t.ok(pooled.length > 0, 'the driver holds connections to the server');

  // Between the peer's FIN and the socket's 'close' event there is a window in which the
  // socket is destroyed while the driver still counts the connection as open. A command
  // issued then is written to the destroyed socket: nothing errors, nothing drains.
  const closeSeen = new Set<Socket>();
  for (const socket of pooled) socket.once('close', () => closeSeen.add(socket));
  server.kill('SIGKILL');
  let inWindow: Socket | undefined;
  for (let phase = 0; phase < 100_000 && !inWindow; phase++) {
    inWindow = pooled.find((socket) => socket.destroyed && !closeSeen.has(socket));
    if (!inWindow && pooled.every((socket) => closeSeen.has(socket))) break;
    if (!inWindow) await nextPhase();
  }
  t.ok(inWindow, 'a pooled socket was caught destroyed before its close event');

  const startedMs = Date.now();
  const giveUp = new AbortController();
  const outcome = await Promise.race([
    mongo.db.command({ ping: 1 }).then(
      () => 'answered',
      (error: unknown) => error,
    ),
    sleep(15_000, 'never settled', { signal: giveUp.signal }),
  ]);
  giveUp.abort();
  t.not(outcome, 'never settled', 'the command settles');
  t.type(outcome, MongoError, 'with the driver error for an unreachable server');
  t.ok(Date.now() - startedMs < 10_000, `within server selection, not forever (${Date.now() - startedMs} ms)`);
});
