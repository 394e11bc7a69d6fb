/** A whole number of milliseconds in [minMs, maxMs): where a fault lands in a run. */
export function randomMs(minMs: number, maxMs: number): number {
  return Math.floor(minMs + Math.random() * (maxMs - minMs));
}

/** Pause per load worker so that `count` orders spread over about `durationMs`. */
export function pauseFor(count: number, concurrency: number, durationMs: number): number {
  return Math.max(0, Math.floor((durationMs * concurrency) / count));
}
