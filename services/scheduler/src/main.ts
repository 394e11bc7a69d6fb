import { loadPlatformConfig, runService } from '@orderflow/platform';
import { startScheduler } from './scheduler.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadPlatformConfig('scheduler', env, version),
  start: startScheduler,
});
