import { runService } from '@orderflow/platform';
import { loadApiConfig } from './config.js';
import { startApi } from './api.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadApiConfig(env, version),
  start: startApi,
});
