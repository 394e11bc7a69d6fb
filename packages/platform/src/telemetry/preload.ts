import { register as registerAsyncHooks } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { startTelemetry, type TelemetryOptions } from './telemetry.js';

/** ES modules the instrumentation must hook; node:http, mongodb and undici come through require and diagnostics channels. */
const HOOKED_MODULES = ['pino'];

/**
 * Hooks the ES module imports the instrumentation patches (in-thread where Node.js can),
 * then starts telemetry. For `--import` files only: it must run before the application
 * loads those modules.
 */
export async function preloadTelemetry(options: TelemetryOptions): Promise<void> {
  if (supportsSyncHooks()) {
    registerSyncHooks({ include: HOOKED_MODULES });
    startTelemetry(options);
    return;
  }
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  registerAsyncHooks('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  startTelemetry(options);
  await waitForAllMessagesAcknowledged();
}
