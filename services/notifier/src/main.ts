import { loadPlatformConfig, runService } from '@orderflow/platform';
import { startNotifier } from './notifier.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadPlatformConfig('notifier', env, version),
  start: startNotifier,
});
