import { loadPlatformConfig, runService } from '@orderflow/platform';
import { startApi } from './api.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadPlatformConfig('api', env, version),
  start: startApi,
});
