import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { UnavailableError } from '@orderflow/platform';

/** Turns "the database cannot be reached" into UnavailableError, which edges map to 503 or a retry. */
export async function guarded<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (
      error instanceof MongoServerSelectionError ||
      error instanceof MongoNetworkError ||
      error instanceof MongoNotConnectedError ||
      error instanceof MongoTopologyClosedError
    ) {
      throw new UnavailableError(`MongoDB unavailable while ${what}`, { cause: error });
    }
    throw error;
  }
}

export const DUPLICATE_KEY = 11_000;

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown }).code === DUPLICATE_KEY;
}
