import { runService } from '@orderflow/platform';
import { loadProcessorConfig } from './config.js';
import { startProcessor } from './processor.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: (env, version) => loadProcessorConfig(env, version),
  start: startProcessor,
});
