import { startMongo } from './start-mongo.js';
import { startNats } from './start-nats.js';
import type { ServerHandle, StartOptions } from './types.js';
import { uniqueName, uniqueNamespace } from './unique-name.js';

/** Servers for one test, with names that keep it apart from others sharing them. */
export interface TestServers {
  nats: ServerHandle;
  mongo: ServerHandle;
  natsUrl: string;
  mongoUrl: string;
  /** Unique per call, safe for NATS stream-name/subject prefixes: [a-z0-9]+, starts with a letter. */
  namespace: string;
  /** Unique MongoDB database name per call. */
  dbName: string;
  /** Stops both servers; idempotent, and also registered as the test's teardown. */
  stop(): Promise<void>;
}

/** Anything with tap's `teardown`. */
export interface Teardownable {
  teardown(fn: () => unknown): void;
}

/**
 * Starts NATS and MongoDB (in parallel), unless NATS_URL / MONGO_URL are set, and
 * registers their stop as `t`'s teardown. `options` (env, log) apply to both servers.
 */
export async function useTestServers(
  t: Teardownable,
  options: Pick<StartOptions, 'env' | 'log'> = {},
): Promise<TestServers> {
  const [nats, mongo] = await Promise.allSettled([startNats(options), startMongo(options)]);
  if (nats.status === 'rejected' || mongo.status === 'rejected') {
    const started = [nats, mongo].filter((result) => result.status === 'fulfilled');
    await Promise.all(started.map((result) => result.value.stop()));
    const failures = [nats, mongo].flatMap((result): unknown[] =>
      result.status === 'rejected' ? [result.reason] : [],
    );
    if (failures.length === 1) throw failures[0];
    throw new AggregateError(failures, 'Neither NATS nor MongoDB could be started');
  }
  const stop = async (): Promise<void> => {
    await Promise.all([nats.value.stop(), mongo.value.stop()]);
  };
  t.teardown(stop);
  return {
    nats: nats.value,
    mongo: mongo.value,
    natsUrl: nats.value.url,
    mongoUrl: mongo.value.url,
    namespace: uniqueNamespace(),
    dbName: uniqueName('test'),
    stop,
  };
}
