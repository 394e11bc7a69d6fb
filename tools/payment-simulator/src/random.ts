import { createHash } from 'node:crypto';

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * SHA-256 of the parts, separated by NUL so that ("ab", "c") and ("a", "bc") differ.
 * Everything random in the simulator derives from such a digest of the seed and the
 * order id, so an order's fate never depends on arrival order or concurrency.
 */
export function digest(...parts: readonly (string | number)[]): Buffer {
  return createHash('sha256').update(parts.map(String).join('\u0000')).digest();
}

/** One uniform number in [0, 1) from 48 bits of the digest of `parts`. */
export function uniformFrom(...parts: readonly (string | number)[]): number {
  return digest(...parts).readUIntBE(0, 6) / 2 ** 48;
}

/**
 * A seeded generator (sfc32) keyed by the digest of `parts`, for decisions that need
 * a sequence of numbers, like shuffling a payment's webhooks.
 */
export function createRandom(...parts: readonly (string | number)[]): Random {
  const key = digest(...parts);
  let a = key.readUInt32BE(0);
  let b = key.readUInt32BE(4);
  let c = key.readUInt32BE(8);
  let counter = key.readUInt32BE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + counter) | 0;
    counter = (counter + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 2 ** 32;
  };
  // The first outputs of sfc32 still resemble the key; discard them.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A shuffled copy of `items` (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * A UUID-shaped id (RFC 9562 version 8, "custom") from the digest of `parts`: the same
 * parts always give the same id, so a restarted simulator repeats its event ids.
 */
export function deterministicUuid(...parts: readonly (string | number)[]): string {
  const bytes = digest(...parts).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
