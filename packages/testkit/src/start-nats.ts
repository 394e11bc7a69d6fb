import { join } from 'node:path';

import { ExternalServer } from './external-server.js';
import { findBinary } from './find-binary.js';
import { startManagedServer } from './managed-server.js';
import { waitForNatsInfo } from './nats-info.js';
import type { ServerSpec } from './server-spec.js';
import type { ServerHandle, StartOptions } from './types.js';

const natsSpec: ServerSpec = {
  name: 'nats-server',
  tempDirPrefix: 'orderflow-nats-',
  startupTimeoutMs: 15_000,
  stopGraceMs: 5_000,
  // nats-server adds another `jetstream` level below -sd: the store is <dataDir>/jetstream/jetstream.
  args: (dataDir, port) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(dataDir, 'jetstream')],
  url: (port) => `nats://127.0.0.1:${port}`,
  waitReady: waitForNatsInfo,
};

/**
 * Starts nats-server with JetStream on a free port and a fresh store, resolving once it
 * greets clients. When NATS_URL is set, returns an external handle for it instead.
 */
export async function startNats(options: StartOptions = {}): Promise<ServerHandle> {
  const env = options.env ?? process.env;
  const externalUrl = env.NATS_URL?.trim();
  if (externalUrl) return new ExternalServer(externalUrl);
  const binary = await findBinary('nats-server', env);
  return startManagedServer(natsSpec, binary, options);
}
