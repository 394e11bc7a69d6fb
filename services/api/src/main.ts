import { runClusteredService } from '@orderflow/platform';
import { loadApiConfig } from './config.js';
import { startApi } from './api.js';

await runClusteredService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadApiConfig(env, version),
  start: startApi,
  workers: (config) => config.workers,
});
