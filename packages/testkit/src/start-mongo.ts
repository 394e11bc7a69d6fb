import { ExternalServer } from './external-server.js';
import { findBinary } from './find-binary.js';
import { startManagedServer } from './managed-server.js';
import type { ServerSpec } from './server-spec.js';
import type { ServerHandle, StartOptions } from './types.js';
import { waitForPort } from './wait-for-port.js';

const ferretSpec: ServerSpec = {
  name: 'ferretdb',
  tempDirPrefix: 'orderflow-ferretdb-',
  startupTimeoutMs: 15_000,
  stopGraceMs: 5_000,
  args: (dataDir, port) => [
    '--handler=sqlite',
    // FerretDB requires the directory URL to end with a slash.
    `--sqlite-url=file:${dataDir}/`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ],
  url: (port) => `mongodb://127.0.0.1:${port}/`,
  waitReady: waitForPort,
};

/**
 * Starts a MongoDB-compatible server (FerretDB on SQLite) on a free port and a fresh data
 * dir, resolving once it accepts connections. When MONGO_URL is set, returns an external
 * handle for it instead.
 */
export async function startMongo(options: StartOptions = {}): Promise<ServerHandle> {
  const env = options.env ?? process.env;
  const externalUrl = env.MONGO_URL?.trim();
  if (externalUrl) return new ExternalServer(externalUrl);
  const binary = await findBinary('ferretdb', env);
  return startManagedServer(ferretSpec, binary, options);
}
