import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';

/** What the store takes when nothing else runs on it. */
export interface StoreCeiling {
  readonly database: string;
  /** insertMany of BATCH documents, BATCH_WRITERS at a time. */
  readonly batchDocumentsPerSec: number;
  readonly batchWriters: number;
  readonly batchSize: number;
  /** insertOne, SINGLE_WRITERS at a time. */
  readonly singleInsertsPerSec: number;
  readonly singleWriters: number;
  readonly secondsEach: number;
}

const BATCH_SIZE = 500;
const BATCH_WRITERS = 4;
const SINGLE_WRITERS = 32;
// About 300 bytes as BSON, like a small order event.
const PADDING = 'x'.repeat(200);

interface ScratchDocument {
  _id: string;
  writer: number;
  n: number;
  customer_id: string;
  sku: string;
  at: Date;
  padding: string;
}

/**
 * Measures the store directly with the driver in a scratch database (dropped after):
 * documents/s through batched inserts, and insert commands/s through single inserts.
 */
export async function measureStoreCeiling(mongoUrl: string, secondsEach: number): Promise<StoreCeiling> {
  const database = `bench_ceiling_${randomUUID().slice(0, 8)}`;
  const client = new MongoClient(mongoUrl, {
    maxPoolSize: SINGLE_WRITERS + 4,
    serverSelectionTimeoutMS: 10_000,
    socketTimeoutMS: 30_000,
  });
  await client.connect();
  try {
    const collection = client.db(database).collection<ScratchDocument>('ceiling');
    await collection.insertOne(documentOf('warmup', 0, 0));
    const batchDocuments = await forDuration(secondsEach, BATCH_WRITERS, async (writer, n) => {
      const batch = Array.from({ length: BATCH_SIZE }, (_, i) => documentOf('batch', writer, n * BATCH_SIZE + i));
      await collection.insertMany(batch, { ordered: false });
      return BATCH_SIZE;
    });
    const singles = await forDuration(secondsEach, SINGLE_WRITERS, async (writer, n) => {
      await collection.insertOne(documentOf('single', writer, n));
      return 1;
    });
    return {
      database,
      batchDocumentsPerSec: batchDocuments,
      batchWriters: BATCH_WRITERS,
      batchSize: BATCH_SIZE,
      singleInsertsPerSec: singles,
      singleWriters: SINGLE_WRITERS,
      secondsEach,
    };
  } finally {
    await client
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
  }
}

/** Runs `writers` loops of `work` for `seconds`; the units they report, per second. */
async function forDuration(
  seconds: number,
  writers: number,
  work: (writer: number, n: number) => Promise<number>,
): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1_000;
  let units = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; performance.now() < deadline; n++) {
        // Not `units += await …`: that reads `units` before the await, and concurrent
        // writers would overwrite each other's counts.
        const done = await work(writer, n);
        units += done;
      }
    }),
  );
  return units / ((performance.now() - started) / 1_000);
}

function documentOf(kind: string, writer: number, n: number): ScratchDocument {
  return {
    _id: `${kind}-${writer}-${n}`,
    writer,
    n,
    customer_id: `cust-${n % 1_000}`,
    sku: `SKU-${n % 500}`,
    at: new Date(),
    padding: PADDING,
  };
}
