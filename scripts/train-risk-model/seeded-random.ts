/**
 * Seeded randomness for the trainer. mulberry32: tiny, fast and plenty for generating
 * data; the same seed always gives the same sequence on every platform.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** A generator seeded with the low 32 bits of `seed`. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Uniform in [min, max). */
export const between = (random: Random, min: number, max: number): number => min + (max - min) * random();
/** A whole number in [min, max]. */
export const wholeBetween = (random: Random, min: number, max: number): number =>
  Math.floor(between(random, min, max + 1));
/** Log-uniform in [min, max): as many draws from 1-10 as from 100-1000, like prices. */
export const logBetween = (random: Random, min: number, max: number): number =>
  Math.exp(between(random, Math.log(min), Math.log(max)));
/** True with `probability`. */
export const chance = (random: Random, probability: number): boolean => random() < probability;

/** A value drawn from `[value, weight]` pairs. */
export function weighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  let rest = random() * choices.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of choices) {
    rest -= weight;
    if (rest < 0) return value;
  }
  return choices[choices.length - 1]![0];
}
