import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { runCluster } from './cluster/run-cluster.js';
import { clusterWorkerMetrics } from './cluster/worker-metrics.js';
import type { PlatformConfig } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { packageVersion, shutdownTelemetry } from './telemetry/telemetry.js';
import type { ServiceOptions } from './runtime.js';

/** What `runService` needs of a started service. */
export interface RunningService {
  stop(reason?: string): Promise<void>;
}

export interface ServiceEntry<C extends { readonly shutdownTimeoutMs: number }> {
  /** Parses the environment; a ConfigError stops the process with exit code 78 (EX_CONFIG). */
  readonly loadConfig: (env: NodeJS.ProcessEnv, version: string) => C;
  readonly start: (config: C, onFatal: (error: Error) => void, options: ServiceOptions) => Promise<RunningService>;
  /** `import.meta.url` of main.ts, to find the service's package.json (its version). */
  readonly mainUrl: string;
}

export interface ClusteredServiceEntry<C extends PlatformConfig> extends ServiceEntry<C> {
  /** How many node:cluster workers run the service (API_WORKERS); 1 runs it in this process. */
  readonly workers: (config: C) => number;
}

/** Exit code of a process stopped by invalid configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The body of every service's main.ts, the one place that reads `process.env`, handles
 * signals and exits: parse the config (exit 78 naming the bad variables), start, and on
 * SIGTERM/SIGINT stop within SHUTDOWN_TIMEOUT_MS (exit 0), else exit 1.
 */
export async function runService<C extends { readonly shutdownTimeoutMs: number }>(
  entry: ServiceEntry<C>,
): Promise<void> {
  await serve(entry, loadConfigOrExit(entry), {}, false);
}

/**
 * `runService` for a service that runs as a node:cluster (SPEC §1: the api). With more
 * than one worker this process becomes their primary (`runCluster`): it opens no
 * dependency, and on SIGTERM/SIGINT it has every worker drain and exits 0 once all have
 * exited within SHUTDOWN_TIMEOUT_MS, else kills the rest and exits 1. Each worker runs
 * the service as `runService` would, with `/metrics` aggregated across the workers.
 * An invalid configuration stops the primary before it forks anything.
 */
export async function runClusteredService<C extends PlatformConfig>(entry: ClusteredServiceEntry<C>): Promise<void> {
  const config = loadConfigOrExit(entry);
  if (cluster.isWorker) {
    await serve(entry, config, { exposeMetrics: clusterWorkerMetrics }, true);
    return;
  }
  const workers = entry.workers(config);
  if (workers <= 1) {
    await serve(entry, config, {}, false);
    return;
  }
  lead(config, workers);
}

function loadConfigOrExit<C extends { readonly shutdownTimeoutMs: number }>(entry: ServiceEntry<C>): C {
  try {
    return entry.loadConfig(process.env, packageVersion(new URL('../package.json', entry.mainUrl)));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
    process.exit(EXIT_CONFIG);
  }
}

async function serve<C extends { readonly shutdownTimeoutMs: number }>(
  entry: ServiceEntry<C>,
  config: C,
  options: ServiceOptions,
  clusterWorker: boolean,
): Promise<void> {
  let service: RunningService | undefined;
  const fatal = (error: Error) => {
    process.stderr.write(`fatal: ${error.message}\n`);
    void Promise.resolve(service?.stop('fatal error'))
      .finally(() => shutdownTelemetry())
      .finally(() => process.exit(1));
  };
  let stopSignal: string | undefined;
  const grace = closeWithGrace(
    { delay: config.shutdownTimeoutMs, ...(clusterWorker ? { skip: [...STOP_SIGNALS] } : {}) },
    async ({ signal, err }) => {
      stopSignal ??= signal ?? 'unhandled error';
      if (err) process.stderr.write(`stopping after an unhandled error: ${err.stack ?? String(err)}\n`);
      await service?.stop(stopSignal);
      // Spans of the last work are exported before the process exits.
      await shutdownTelemetry();
    },
  );
  if (clusterWorker) {
    // The primary passes its stop on as SIGTERM, and a terminal's Ctrl-C reaches every
    // process of the group as well: the first signal starts the one graceful stop, and a
    // second must not cut it short the way closeWithGrace would.
    for (const name of STOP_SIGNALS) {
      process.on(name, () => {
        if (stopSignal !== undefined) return;
        stopSignal = name;
        void grace.close();
      });
    }
  }
  try {
    service = await entry.start(config, fatal, options);
  } catch (error) {
    process.stderr.write(
      `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}

/** The cluster primary: forks the workers and stops them all on the first SIGTERM/SIGINT. */
function lead(config: PlatformConfig, workers: number): void {
  const log = createLogger({
    service: config.service,
    version: config.version,
    environment: config.environment,
    level: config.logLevel,
  });
  const running = runCluster({ workers, log, shutdownTimeoutMs: config.shutdownTimeoutMs });
  let stopping = false;
  for (const name of STOP_SIGNALS) {
    process.on(name, () => {
      // Later signals change nothing: the stop is already bounded by SHUTDOWN_TIMEOUT_MS.
      if (stopping) return;
      stopping = true;
      void running.stop(name).then(({ clean }) => process.exit(clean ? 0 : 1));
    });
  }
}
