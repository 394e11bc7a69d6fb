import { MongoAPIError, MongoBulkWriteError, MongoError, MongoServerError } from 'mongodb';
import { UnavailableError } from '@orderflow/platform';

/** Server error codes that mean "not now" rather than "never" (network, shutdown, overload). */
const TRANSIENT_SERVER_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * Socket errors the driver lets through unwrapped: a command written to a connection the
 * server has just closed fails with a plain Node `EPIPE` ("This socket has been ended by
 * the other party"), not a MongoNetworkError.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT']);

/**
 * True when the database could not be reached or could not answer now: every driver-side
 * failure (network, server selection, pool, timeout) except API misuse, a raw socket
 * failure, and server errors with a transient code or label.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof MongoError)) {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && SOCKET_ERROR_CODES.has(code);
  }
  // A batched command that failed as a whole (the connection refused or lost) comes back
  // as a bulk error with no per-document errors and no code of its own.
  if (error instanceof MongoBulkWriteError && error.code === undefined && bulkErrorCount(error) === 0) return true;
  if (error instanceof MongoServerError) {
    return (
      TRANSIENT_SERVER_CODES.has(Number(error.code)) ||
      error.hasErrorLabel('RetryableWriteError') ||
      error.hasErrorLabel('SystemOverloadedError')
    );
  }
  return !(error instanceof MongoAPIError);
}

function bulkErrorCount(error: MongoBulkWriteError): number {
  const writeErrors: unknown = error.writeErrors;
  return Array.isArray(writeErrors) ? writeErrors.length : writeErrors ? 1 : 0;
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
