import { randomToken } from './unique-name.js';

/** Databases that `stop()` drops; leftovers of killed processes are swept by age. */
export const throwawayDatabasePrefix = 'orderflow_t_';
/** Databases created with keepData: never swept, so they stay until someone drops them. */
const keptDatabasePrefix = 'orderflow_kept_';

const throwawayPattern = /^orderflow_t_([0-9a-z]+)_[0-9a-z]+$/;

/**
 * A fresh database name: prefix, base36 creation time in milliseconds, `_`, 8 random
 * characters. Lower-case so PostgreSQL needs no quoting to find it, and well under its
 * 63-byte limit.
 */
export function testDatabaseName(keep: boolean, nowMs: number = Date.now()): string {
  const prefix = keep ? keptDatabasePrefix : throwawayDatabasePrefix;
  return `${prefix}${nowMs.toString(36)}_${randomToken(8)}`;
}

/** Creation time encoded in a throwaway database name; undefined for any other name. */
export function throwawayDatabaseCreatedAtMs(name: string): number | undefined {
  const encoded = throwawayPattern.exec(name)?.[1];
  if (encoded === undefined) return undefined;
  const createdAtMs = parseInt(encoded, 36);
  return Number.isSafeInteger(createdAtMs) ? createdAtMs : undefined;
}
