import { MongoAPIError, MongoError, MongoServerError } from 'mongodb';
import { UnavailableError } from '@orderflow/platform';

/** Server error codes that mean "not now" rather than "never" (network, shutdown, overload). */
const TRANSIENT_SERVER_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * True when the database could not be reached or could not answer now: every driver-side
 * failure (network, server selection, pool, timeout) except API misuse, and server errors
 * with a transient code or label.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (error instanceof MongoServerError) {
    return (
      TRANSIENT_SERVER_CODES.has(Number(error.code)) ||
      error.hasErrorLabel('RetryableWriteError') ||
      error.hasErrorLabel('SystemOverloadedError')
    );
  }
  return !(error instanceof MongoAPIError);
}

/** Turns "the database cannot be reached" into UnavailableError, which edges map to 503 or a retry. */
export async function guarded<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error)) throw new UnavailableError(`MongoDB unavailable while ${what}`, { cause: error });
    throw error;
  }
}

export const DUPLICATE_KEY = 11_000;

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown }).code === DUPLICATE_KEY;
}
