import { runService } from '@orderflow/platform';
import { loadSimulatorConfig, startSimulator } from './index.js';

await runService({
  mainUrl: import.meta.url,
  loadConfig: loadSimulatorConfig,
  start: (config) => startSimulator(config),
});
