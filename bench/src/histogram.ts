import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './types.js';

export type { Histogram };

/** Two minutes in microseconds: anything slower is recorded as this. */
const HIGHEST_US = 120_000_000;

/** A latency histogram in microseconds, 3 significant digits, from 1 µs to 2 min. */
export function latencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  });
}

/** Records a duration given in milliseconds, clamped to the histogram's range. */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1_000);
  histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, us)));
}

/** p50/p95/p99/max/mean in milliseconds (3 decimals); null fields for an empty histogram. */
export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, meanMs: null };
  const maxUs = histogram.maxValue;
  // A percentile is the top of its bucket and may lie above the largest value recorded.
  const ms = (us: number) => Math.round(Math.min(us, maxUs)) / 1_000;
  return {
    count,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p95Ms: ms(histogram.getValueAtPercentile(95)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(maxUs),
    meanMs: ms(histogram.mean),
  };
}

/** Coefficient of variation (stddev / mean) of per-second counts; null for fewer than 2 seconds or a zero mean. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}
