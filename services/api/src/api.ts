import { startRuntime, type PlatformConfig, type Runtime } from '@orderflow/platform';

/**
 * Starts the api service. HTTP API: order intake, webhooks, live streams and /stats. Until its routes land it serves /health, /ready and /metrics on PORT.
 */
export async function startApi(config: PlatformConfig, onFatal?: (error: Error) => void): Promise<Runtime> {
  const runtime = await startRuntime({ config, ...(onFatal ? { onFatal } : {}) });
  runtime.markStarted();
  return runtime;
}
