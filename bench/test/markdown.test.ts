import t from 'tap';
import { mib, num, pairs, percentiles, table } from '../src/markdown.js';
import { stepRow } from '../src/report-steps.js';
import { latency, load, step } from './fixtures.js';

t.test('a table has a header, a separator and one line per row', async (t) => {
  t.equal(table(['a', 'b'], [['1', '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |');
});

t.test('pipes and newlines inside cells cannot break the table', async (t) => {
  t.equal(table(['a'], [['x | y\nz']]), '| a |\n| --- |\n| x \\| y z |');
});

t.test('short rows are padded to the header width', async (t) => {
  t.equal(table(['a', 'b'], [['1']]), '| a | b |\n| --- | --- |\n| 1 |  |');
});

t.test('numbers, sizes and percentiles are formatted for reading', async (t) => {
  t.equal(num(12_345.678, 1), '12,345.7');
  t.equal(num(null), 'n/a');
  t.equal(mib(3 * 1_048_576), '3.0 MiB');
  t.equal(percentiles(latency(40)), '10.0 / 20.0 / 40.0 / 60.0');
  t.equal(pairs({ b: 2, a: 1 }), 'a 1 · b 2');
  t.equal(pairs({}), '—');
});

t.test('a pipeline step row shows completions, errors by status and the failed criteria', async (t) => {
  const row = stepRow(
    step('pipeline', 'ramp', 400, {
      intake: load({ byStatus: { '202': 1_990, '429': 4, timeout: 6 }, retryAfter: { '1': 4 } }),
      verdict: { sustainable: false, failed: ['backlog 900 > 200', '3 orders not terminal within the drain'] },
    }),
  );
  t.equal(row[0], 'ramp (5 s)');
  t.equal(row[3], '400');
  t.equal(row[6], '100.0 / 200.0 / 400.0 / 600.0');
  t.equal(row[7], '429 4 · timeout 6 (Retry-After 1 4)');
  t.equal(row[9], '10 (processor-normal 10)');
  t.equal(row[12], 'api 0.50 · processor 0.50');
  t.equal(row[13], 'no: backlog 900 > 200; 3 orders not terminal within the drain');
});

t.test('an intake step row leaves the pipeline columns out', async (t) => {
  const row = stepRow(step('intake', 'ramp', 1_000));
  t.equal(row[3], '—');
  t.equal(row[6], '—');
  t.equal(row[7], '—');
  t.equal(row[10], 'n/a');
  t.equal(row[13], 'yes');
});
