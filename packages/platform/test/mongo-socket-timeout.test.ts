import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { MongoError } from 'mongodb';
import { createMongo, type MongoHandle } from '@orderflow/platform';
import { startTcpProxy, uniqueName, useTestServers } from '@orderflow/testkit';

const servers = await useTestServers(t);

/**
 * A client behind a proxy of the test's own that withholds the server's answers on every
 * connection that sends `marker`, and only there: the server stays up and answers the rest.
 */
async function stallingServer(t: Test, socketTimeoutMs: number) {
  const { hostname, port } = new URL(servers.mongoUrl);
  const proxy = await startTcpProxy({ host: hostname, port: Number(port) });
  t.teardown(() => proxy.close());
  const mongo: MongoHandle = createMongo(
    {
      url: `mongodb://${proxy.host}:${proxy.port}/`,
      db: servers.dbName,
      maxPoolSize: 4,
      timeoutMs: 5_000,
      socketTimeoutMs,
    },
    'test',
  );
  t.teardown(() => mongo.close());
  await mongo.ping();
  const marker = uniqueName('stall');
  proxy.set({ stallAfter: marker });
  const settled = mongo.db
    .collection<{ _id: string }>('stalls')
    .findOne({ _id: marker })
    .then(
      () => 'answered' as const,
      (error: unknown) => error,
    );
  return { mongo, settled };
}

/** What `settled` came to within `ms`, or 'pending'. */
async function within(ms: number, settled: Promise<unknown>): Promise<unknown> {
  const giveUp = new AbortController();
  const outcome = await Promise.race([settled, sleep(ms, 'pending', { signal: giveUp.signal })]);
  giveUp.abort();
  return outcome;
}

t.test('a command the server never answers fails after the socket timeout, and the rest go on', async (t) => {
  const startedMs = Date.now();
  const { mongo, settled } = await stallingServer(t, 1_500);
  await mongo.db.command({ ping: 1 });
  t.pass('a command on another connection is answered meanwhile');

  const outcome = await within(15_000, settled);
  const elapsedMs = Date.now() - startedMs;
  t.not(outcome, 'pending', 'the unanswered command settles');
  t.type(outcome, MongoError, 'with a driver error');
  t.match((outcome as Error).name, /Timeout/, `a timeout (${(outcome as Error).name}: ${(outcome as Error).message})`);
  // The read is retried once on a fresh connection, which is withheld too: two timeouts.
  t.ok(elapsedMs >= 1_500, `not before the timeout (${elapsedMs} ms)`);
  await mongo.db.command({ ping: 1 });
  t.pass('the client still works');
});

t.test('with a socket timeout of 0 the same command waits for its answer', async (t) => {
  const { settled } = await stallingServer(t, 0);
  t.equal(await within(4_000, settled), 'pending', 'still waiting after 4 s');
});
