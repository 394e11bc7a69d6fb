import type { RssSample } from './proc.js';
import type { StepResult } from './types.js';

/** Share of the sustainable pipeline rate the soak runs at. */
export const SOAK_SHARE = 0.7;
/** RSS is taken every this often during the soak. */
export const SOAK_SAMPLE_MS = 10_000;
/** A process whose RSS moved less than this (either way) is flat. */
export const FLAT_PERCENT = 10;

/** RSS of one process at the start and the end of the soak. */
export interface RssDrift {
  readonly firstMinuteBytes: number;
  readonly lastMinuteBytes: number;
  readonly changePercent: number;
  readonly flat: boolean;
}

/** What the soak found. */
export interface SoakResult {
  readonly minutes: number;
  readonly rate: number;
  /**
   * How the rate was chosen: `share`, SOAK_SHARE of the sustainable pipeline rate;
   * `asked`, given by `--soak-rate`. Reports from before the option have none: `share`.
   */
  readonly basis?: 'share' | 'asked';
  readonly step: StepResult;
  readonly drift: Readonly<Record<string, RssDrift>>;
  /** Every SOAK_SAMPLE_MS: time since the soak started and RSS by process. */
  readonly series: readonly { readonly atS: number; readonly rssBytes: Readonly<Record<string, number>> }[];
}

/** Every `everyMs`-th sample of `samples` (the first of each period), timed from `startMs`. */
export function thinSeries(samples: readonly RssSample[], startMs: number, everyMs: number): SoakResult['series'] {
  const series: { atS: number; rssBytes: Readonly<Record<string, number>> }[] = [];
  let nextMs = startMs;
  for (const sample of samples) {
    if (sample.atMs < nextMs) continue;
    series.push({ atS: Math.round((sample.atMs - startMs) / 1_000), rssBytes: sample.rssBytes });
    nextMs = sample.atMs + everyMs;
  }
  return series;
}

/**
 * Mean RSS of each process over the first and over the last minute of the soak, and the
 * change between them; within ±FLAT_PERCENT is flat.
 */
export function rssDrift(samples: readonly RssSample[], startMs: number, endMs: number): Record<string, RssDrift> {
  const minuteMs = 60_000;
  const first = samples.filter((s) => s.atMs >= startMs && s.atMs < startMs + minuteMs);
  const last = samples.filter((s) => s.atMs >= endMs - minuteMs && s.atMs <= endMs);
  const names = new Set(samples.flatMap((s) => Object.keys(s.rssBytes)));
  const mean = (list: readonly RssSample[], name: string) => {
    const values = list.map((s) => s.rssBytes[name]).filter((v): v is number => v !== undefined && v > 0);
    return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const drift: Record<string, RssDrift> = {};
  for (const name of names) {
    const firstMinuteBytes = mean(first, name);
    const lastMinuteBytes = mean(last, name);
    if (firstMinuteBytes === 0) continue;
    const changePercent = ((lastMinuteBytes - firstMinuteBytes) / firstMinuteBytes) * 100;
    drift[name] = { firstMinuteBytes, lastMinuteBytes, changePercent, flat: Math.abs(changePercent) <= FLAT_PERCENT };
  }
  return drift;
}
