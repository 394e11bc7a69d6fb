/**
 * Starts telemetry before the application loads, so its modules are instrumented:
 *
 *   node --import @orderflow/platform/register services/api/dist/main.js
 *
 * The service name and version come from the entry script's package (`OTEL_SERVICE_NAME`
 * overrides the name). ES module imports of pino are hooked (in-thread where Node.js
 * can); node:http, mongodb and undici are reached through require and diagnostics
 * channels.
 */
import { register as registerAsyncHooks } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { serviceOfEntry, startTelemetry } from './telemetry.js';

const service = serviceOfEntry(process.argv[1]);
if (supportsSyncHooks()) {
  registerSyncHooks({ include: ['pino'] });
  startTelemetry({ serviceName: service.name, serviceVersion: service.version });
} else {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  registerAsyncHooks('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  startTelemetry({ serviceName: service.name, serviceVersion: service.version });
  await waitForAllMessagesAcknowledged();
}
