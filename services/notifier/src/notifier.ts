import { startRuntime, type PlatformConfig, type Runtime } from '@orderflow/platform';

/**
 * Starts the notifier service. Sends the e-mail for terminal orders and keeps the notification audit. Its ops server serves /health, /ready and /metrics on OPS_PORT.
 */
export async function startNotifier(config: PlatformConfig, onFatal?: (error: Error) => void): Promise<Runtime> {
  const runtime = await startRuntime({ config, ...(onFatal ? { onFatal } : {}) });
  runtime.markStarted();
  return runtime;
}
