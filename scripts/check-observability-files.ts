/**
 * Part of scripts/check-observability.sh: parses every JSON file and NDJSON line under
 * observability/, and writes the dashboards' PromQL as a Prometheus rule file to the
 * path given as argument, for `promtool check rules` to parse. Grafana variables become
 * values promtool accepts. Exits 1 naming each file that does not parse.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardExpressions } from '../test/observability/support/promql-metrics.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const rulesPath = process.argv[2];
if (!rulesPath) {
  console.error('usage: check-observability-files.ts <rule file to write>');
  process.exit(2);
}

/** Grafana's built-in intervals and the dashboards' own variables, as PromQL promtool parses. */
function withoutVariables(expr: string): string {
  return expr
    .replace(/\$\{?__(rate_interval|interval|range)\}?/g, '5m')
    .replace(/\$\{?__\w+\}?/g, '1')
    .replace(/\$\{?\w+\}?/g, '.*');
}

const failures: string[] = [];
let expressions = 0;
const groups: Array<{ name: string; rules: Array<{ record: string; expr: string }> }> = [];
const files = (await readdir(join(root, 'observability'), { recursive: true })).sort();
for (const file of files.map((name) => join(root, 'observability', name))) {
  const name = relative(root, file);
  if (name.endsWith('.ndjson')) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        JSON.parse(line);
      } catch (error) {
        failures.push(`${name}:${index + 1}: ${(error as Error).message}`);
      }
    });
  } else if (name.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
      continue;
    }
    if (name.startsWith(join('observability', 'grafana', 'dashboards'))) {
      const rules = dashboardExpressions(json).map((expr) => ({
        record: `dashboard_expression_${++expressions}`,
        expr: withoutVariables(expr),
      }));
      groups.push({ name, rules });
    }
  }
}

for (const failure of failures) console.error(`check-observability: ${failure}`);
if (failures.length > 0) process.exit(1);
// JSON is YAML, so promtool reads this as a rule file; each group is named after its dashboard.
await writeFile(rulesPath, JSON.stringify({ groups }, null, 2));
console.log(`parsed the JSON under observability/; ${expressions} dashboard expressions written to ${rulesPath}`);
