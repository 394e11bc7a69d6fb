import t from 'tap';
import { coefficientOfVariation, latencyHistogram, recordMs, summarize } from '../src/histogram.js';

t.test('an empty histogram summarizes to nulls', async (t) => {
  t.same(summarize(latencyHistogram()), { count: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, meanMs: null });
});

t.test('percentiles come out in milliseconds within the histogram precision', async (t) => {
  const histogram = latencyHistogram();
  for (let ms = 1; ms <= 100; ms++) recordMs(histogram, ms);
  const summary = summarize(histogram);
  t.equal(summary.count, 100);
  t.ok(Math.abs(summary.p50Ms! - 50) <= 0.05, `p50 ${summary.p50Ms}`);
  t.ok(Math.abs(summary.p99Ms! - 99) <= 0.1, `p99 ${summary.p99Ms}`);
  t.ok(Math.abs(summary.maxMs! - 100) <= 0.1, `max ${summary.maxMs}`);
});

t.test('no percentile is reported above the maximum', async (t) => {
  const histogram = latencyHistogram();
  recordMs(histogram, 9_044.0);
  const summary = summarize(histogram);
  t.ok(summary.p99Ms! <= summary.maxMs!);
});

t.test('durations are clamped into the histogram range', async (t) => {
  const histogram = latencyHistogram();
  recordMs(histogram, -5);
  recordMs(histogram, 500_000);
  const summary = summarize(histogram);
  t.equal(summary.count, 2);
  t.ok(summary.maxMs! <= 120_100);
});

t.test('the coefficient of variation is stddev over mean', async (t) => {
  t.equal(coefficientOfVariation([10, 10, 10]), 0);
  t.equal(coefficientOfVariation([5, 15]), 0.5);
  t.equal(coefficientOfVariation([7]), null);
  t.equal(coefficientOfVariation([0, 0]), null);
});
