import { runService } from '@orderflow/platform';
import { loadNotifierConfig } from './config.js';
import { startNotifier } from './notifier.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadNotifierConfig(env, version),
  start: startNotifier,
});
