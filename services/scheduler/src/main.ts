import { runService } from '@orderflow/platform';
import { loadSchedulerConfig } from './config.js';
import { startScheduler } from './scheduler.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadSchedulerConfig(env, version),
  start: startScheduler,
});
