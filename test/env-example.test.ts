import { readFile } from 'node:fs/promises';
import t from 'tap';
import { simulatorVariables } from '@orderflow/payment-simulator';
import { apiVariables } from '../services/api/src/config.js';
import { notifierVariables } from '../services/notifier/src/config.js';
import { processorVariables } from '../services/processor/src/config.js';
import { schedulerVariables } from '../services/scheduler/src/config.js';

const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

for (const [part, variables] of Object.entries({
  api: apiVariables,
  processor: processorVariables,
  notifier: notifierVariables,
  scheduler: schedulerVariables,
  simulator: simulatorVariables,
})) {
  t.test(`.env.example documents every variable the ${part} reads`, async (t) => {
    for (const name of Object.keys(variables)) t.ok(documented.has(name), name);
  });
}
