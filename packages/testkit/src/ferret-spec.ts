import type { FerretStorage } from './ferret-storage.js';
import { databaseUrl } from './postgres-admin.js';
import type { ServerSpec } from './server-spec.js';
import { waitForPort } from './wait-for-port.js';

/** How to run FerretDB on the given storage; its state dir is always the data dir. */
export function ferretSpec(storage: FerretStorage): ServerSpec {
  const storageArgs = (dataDir: string): string[] =>
    storage.kind === 'postgresql'
      ? ['--handler=postgresql', `--postgresql-url=${databaseUrl(storage.database)}`]
      : // FerretDB requires the directory URL to end with a slash.
        ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`];
  return {
    name: 'ferretdb',
    tempDirPrefix: 'orderflow-ferretdb-',
    startupTimeoutMs: 15_000,
    stopGraceMs: 5_000,
    args: (dataDir, port) => [
      ...storageArgs(dataDir),
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
    url: (port) => `mongodb://127.0.0.1:${port}/`,
    waitReady: waitForPort,
  };
}
