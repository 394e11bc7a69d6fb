import { loadPlatformConfig, runService } from '@orderflow/platform';
import { startProcessor } from './processor.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadPlatformConfig('processor', env, version),
  start: startProcessor,
});
