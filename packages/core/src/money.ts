/** Money is held in integer minor units (cents) everywhere but at the HTTP edge. */

const MINOR_PER_MAJOR = 100;

/**
 * Minor units of a decimal amount, or undefined when it is not finite or has more than
 * two decimals. "Two decimals" means the number is exactly the double nearest to some
 * whole count of cents, as the JSON literal `300000000.29` is, whatever its magnitude.
 */
export function toMinor(amount: number): number | undefined {
  if (!Number.isFinite(amount)) return undefined;
  const rounded = Math.round(amount * MINOR_PER_MAJOR);
  if (rounded / MINOR_PER_MAJOR !== amount) return undefined;
  return rounded;
}

/** The decimal amount of minor units, for JSON: 1234 → 12.34. */
export function toMajor(minor: number): number {
  return minor / MINOR_PER_MAJOR;
}

/** Two-decimal text of minor units, for messages: 1000001 → "10000.01". */
export function formatMinor(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / MINOR_PER_MAJOR)}.${String(abs % MINOR_PER_MAJOR).padStart(2, '0')}`;
}
