import fc from 'fast-check';
import type { Test } from 'tap';

export interface PropertyRunner {
  readonly seed: number;
  /** Checks `predicate` (which throws on failure) on `runs` × FC_SCALE values; a failure names the counterexample and the seed. */
  readonly holds: <T>(
    t: Test,
    arbitrary: fc.Arbitrary<T>,
    runs: number,
    predicate: (value: T) => Promise<void>,
  ) => Promise<void>;
}

/** Properties run with one fixed seed, so that a failure replays with FC_SEED=<seed>. */
export function propertyRunner(seed: number, scale: number): PropertyRunner {
  return {
    seed,
    holds: async (t, arbitrary, runs, predicate) => {
      const numRuns = Math.max(1, Math.round(runs * scale));
      await fc.assert(fc.asyncProperty(arbitrary, predicate), { seed, numRuns });
      t.pass(`${numRuns} runs, seed ${seed}`);
    },
  };
}
