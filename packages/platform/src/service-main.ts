import { readFileSync } from 'node:fs';
import closeWithGrace from 'close-with-grace';
import { ConfigError } from './errors.js';

/** What `runService` needs of a started service. */
export interface RunningService {
  stop(reason?: string): Promise<void>;
}

export interface ServiceEntry<C extends { readonly shutdownTimeoutMs: number }> {
  /** Parses the environment; a ConfigError stops the process with exit code 78 (EX_CONFIG). */
  readonly loadConfig: (env: NodeJS.ProcessEnv, version: string) => C;
  readonly start: (config: C, onFatal: (error: Error) => void) => Promise<RunningService>;
  /** `import.meta.url` of main.ts, to find the service's package.json (its version). */
  readonly mainUrl: string;
}

/** Exit code of a process stopped by invalid configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * The body of every service's main.ts, the one place that reads `process.env`, handles
 * signals and exits: parse the config (exit 78 naming the bad variables), start, and on
 * SIGTERM/SIGINT stop within SHUTDOWN_TIMEOUT_MS (exit 0), else exit 1.
 */
export async function runService<C extends { readonly shutdownTimeoutMs: number }>(
  entry: ServiceEntry<C>,
): Promise<void> {
  let config: C;
  try {
    config = entry.loadConfig(process.env, packageVersion(entry.mainUrl));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
    process.exit(EXIT_CONFIG);
  }

  let service: RunningService | undefined;
  const fatal = (error: Error) => {
    process.stderr.write(`fatal: ${error.message}\n`);
    void Promise.resolve(service?.stop('fatal error')).finally(() => process.exit(1));
  };
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) process.stderr.write(`stopping after an unhandled error: ${err.stack ?? String(err)}\n`);
    await service?.stop(signal ?? 'unhandled error');
  });
  try {
    service = await entry.start(config, fatal);
  } catch (error) {
    process.stderr.write(
      `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}

function packageVersion(mainUrl: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', mainUrl), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
