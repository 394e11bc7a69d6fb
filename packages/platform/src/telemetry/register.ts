/**
 * Starts telemetry before the application loads, so its modules are instrumented:
 *
 *   node --import @orderflow/platform/register services/api/dist/main.js
 *
 * The service name and version come from the entry script's package (`OTEL_SERVICE_NAME`
 * overrides the name).
 */
import { preloadTelemetry } from './preload.js';
import { serviceOfEntry } from './telemetry.js';

const service = serviceOfEntry(process.argv[1]);
await preloadTelemetry({ serviceName: service.name, serviceVersion: service.version });
