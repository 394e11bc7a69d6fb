import { startRuntime, type PlatformConfig, type Runtime } from '@orderflow/platform';

/**
 * Starts the processor service. Validates new orders by priority lane and drives their payment. Its ops server serves /health, /ready and /metrics on OPS_PORT.
 */
export async function startProcessor(config: PlatformConfig, onFatal?: (error: Error) => void): Promise<Runtime> {
  const runtime = await startRuntime({ config, ...(onFatal ? { onFatal } : {}) });
  runtime.markStarted();
  return runtime;
}
