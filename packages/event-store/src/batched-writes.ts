import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type WriteError,
} from 'mongodb';
import { createBatcher, type Settled } from './batcher.js';
import type { EventDocument, OrderDocument } from './documents.js';
import { DUPLICATE_KEY, isUnavailable } from './unavailable.js';

/** Items per write command at most. */
const MAX_BATCH = 256;
/** Write commands of one kind at the server at once; the next batch gathers meanwhile. */
const MAX_IN_FLIGHT = 4;

export type InsertOutcome = 'inserted' | 'duplicate';

/**
 * The store's writes that concurrent work can share a command for: event appends, the
 * first snapshot of a new order and the outbox's `published_at` marks. With batching on,
 * each is one `insert` or `update` command per batch (group commit); off, one command per
 * item. Every caller still learns its own item's outcome, after its command is done.
 */
export function createBatchedWrites(
  events: Collection<EventDocument>,
  orders: Collection<OrderDocument>,
  options: { readonly batching: boolean; readonly now: () => number },
) {
  const batched = {
    enabled: options.batching,
    maxSize: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
    // While MongoDB is unreachable, a write waiting for a slot fails with the one ahead of it.
    failsWaiting: isUnavailable,
  };
  return {
    /** Appends an event; `duplicate` when its `_id` (order and seq) is taken: the compare-and-set lost. */
    insertEvent: createBatcher<EventDocument, InsertOutcome>({ ...batched, run: (docs) => insertAll(events, docs) }),
    /**
     * Inserts a new order's first snapshot. A duplicate means a snapshot is there already,
     * written by whoever saw a later event first: never older, so it is left alone.
     */
    insertSnapshot: createBatcher<OrderDocument, InsertOutcome>({ ...batched, run: (docs) => insertAll(orders, docs) }),
    /** Marks a published event (SPEC §8): `published_at` set, out of the sweep's index. */
    markPublished: createBatcher<string, void>({
      ...batched,
      run: async (ids) => {
        const published_at = new Date(options.now());
        // `updateMany` by `_id` (one document each, as `updateOne` would): FerretDB 1.x on
        // PostgreSQL keeps the query of each `updateOne` statement open, with its pooled
        // connection, until the whole command ends, so a batch of 50 of them (its pool's
        // size) deadlocks the server for every client. `updateMany` reads its query to the
        // end and gives the connection back. On MongoDB it only costs the driver's one
        // retry of the batch on a lost connection; the outbox sweep republishes anyway.
        const operations: AnyBulkWriteOperation<EventDocument>[] = ids.map((_id) => ({
          updateMany: { filter: { _id }, update: { $set: { published_at }, $unset: { unpublished: '' } } },
        }));
        await events.bulkWrite(operations, { ordered: false });
        return ids.map(() => ({ ok: true, value: undefined }));
      },
    }),
  };
}

/**
 * Inserts documents in one unordered command, so one duplicate does not stop the rest;
 * each document's outcome comes from the write errors by index. Any other per-document
 * error fails that document only; an error of the whole command fails them all.
 */
async function insertAll<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
): Promise<Settled<InsertOutcome>[]> {
  const outcomes: Settled<InsertOutcome>[] = docs.map(() => ({ ok: true, value: 'inserted' }));
  try {
    if (docs.length === 1) await collection.insertOne(docs[0] as Parameters<Collection<T>['insertOne']>[0]);
    else await collection.insertMany(docs as Parameters<Collection<T>['insertMany']>[0], { ordered: false });
  } catch (error) {
    if (docs.length === 1 && (error as { code?: unknown }).code === DUPLICATE_KEY) {
      return [{ ok: true, value: 'duplicate' }];
    }
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors: readonly WriteError[] = Array.isArray(error.writeErrors)
      ? (error.writeErrors as WriteError[])
      : [error.writeErrors as WriteError];
    if (writeErrors.length === 0) throw error;
    for (const writeError of writeErrors) {
      outcomes[writeError.index] =
        writeError.code === DUPLICATE_KEY
          ? { ok: true, value: 'duplicate' }
          : { ok: false, error: serverErrorOf(writeError) };
    }
  }
  return outcomes;
}

/**
 * One document's failure as the server error it is, code and labels kept, so that a
 * server shutting down or overloaded still reads as unavailable (503) to the caller.
 */
function serverErrorOf(writeError: WriteError): MongoServerError {
  return new MongoServerError({
    message: writeError.errmsg ?? 'insert failed',
    errmsg: writeError.errmsg,
    code: writeError.code,
    ...(writeError.errInfo ? { errInfo: writeError.errInfo } : {}),
  });
}
