import { startRuntime, type PlatformConfig, type Runtime } from '@orderflow/platform';

/**
 * Starts the scheduler service. Expires stuck orders, settles overdue payments and sweeps the outbox under a leader lease. Its ops server serves /health, /ready and /metrics on OPS_PORT.
 */
export async function startScheduler(config: PlatformConfig, onFatal?: (error: Error) => void): Promise<Runtime> {
  const runtime = await startRuntime({ config, ...(onFatal ? { onFatal } : {}) });
  runtime.markStarted();
  return runtime;
}
