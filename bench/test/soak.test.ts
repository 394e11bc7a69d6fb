import t from 'tap';
import { rssDrift, thinSeries } from '../src/soak.js';

const sample = (atS: number, api: number, processor: number) => ({ atMs: atS * 1_000, rssBytes: { api, processor } });

t.test('the change compares the first and last minute means', async (t) => {
  const samples = [sample(0, 100, 100), sample(30, 100, 100), sample(540, 105, 150), sample(590, 107, 150)];
  const drift = rssDrift(samples, 0, 600_000);
  t.ok(Math.abs(drift.api!.changePercent - 6) < 1e-9, `${drift.api!.changePercent}`);
  t.equal(drift.api!.flat, true);
  t.ok(Math.abs(drift.processor!.changePercent - 50) < 1e-9);
  t.equal(drift.processor!.flat, false);
});

t.test('the series keeps one sample per period', async (t) => {
  const samples = Array.from({ length: 25 }, (_, i) => sample(i, 1, 1));
  t.same(
    thinSeries(samples, 0, 10_000).map((s) => s.atS),
    [0, 10, 20],
  );
});
