import { randomBytes } from 'node:crypto';

const prefixMaxLength = 24;

/** Lower-case base36 characters from a cryptographic source, so parallel processes never collide. */
export function randomToken(length: number): string {
  let token = '';
  while (token.length < length) {
    for (const byte of randomBytes(length)) {
      // 252 is the largest multiple of 36 below 256; skipping above it keeps digits uniform.
      if (byte < 252) token += (byte % 36).toString(36);
    }
  }
  return token.slice(0, length);
}

/**
 * A name that is unique across calls and processes: the prefix (reduced to `[a-z0-9_]`,
 * at most 24 characters), `_`, base36 milliseconds, and 8 random characters. Short enough
 * for MongoDB database names (63 characters).
 */
export function uniqueName(prefix: string): string {
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, prefixMaxLength);
  return `${safePrefix}_${Date.now().toString(36)}${randomToken(8)}`;
}

/** Like `uniqueName` but `[a-z0-9]+` starting with a letter, safe for NATS stream names and subjects. */
export function uniqueNamespace(): string {
  return `ns${Date.now().toString(36)}${randomToken(8)}`;
}
