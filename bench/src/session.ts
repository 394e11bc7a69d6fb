import { MongoClient } from 'mongodb';
import { Pool } from 'undici';
import { createBacklogReader, isDrained } from './backlog.js';
import { startCompletionTracker, type CompletionTracker } from './completions.js';
import { serverFacts, type ServerFacts } from './machine.js';
import type { ProcessSampler } from './proc.js';
import type { Stack } from './stack.js';
import type { StepContext } from './step.js';

/** The bench's connections to one running stack. */
export interface Session {
  readonly ctx: StepContext;
  readonly tracker: CompletionTracker;
  readonly servers: ServerFacts;
  /** Orders in the stack's database, null when it cannot be counted. */
  orders(): Promise<number | null>;
  /**
   * Waits (up to `timeoutMs`) until the orders of windows that `counts` selects are all
   * terminal and no consumer has a backlog; says how many are still not terminal and
   * whether the pipeline still finished orders in the last STALL_MS (slow, not stuck).
   */
  settleWindows(counts: (label: string) => boolean, timeoutMs: number): Promise<Unfinished>;
  close(): Promise<void>;
}

/** Orders still not terminal after the last drain. */
export interface Unfinished {
  readonly pending: number;
  /** Some order became terminal within the last STALL_MS: these are late, not lost. */
  readonly progressing: boolean;
}

/** Without a terminal event for this long, orders still open count as lost. */
export const STALL_MS = 10_000;

/** What a session is opened with. */
export interface SessionOptions {
  readonly connections: number;
  readonly maxOutstanding: number;
  readonly probeTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Connects the load pool, the completion tracker, the backlog reader and a MongoDB client to `stack`. */
export async function openSession(stack: Stack, sampler: ProcessSampler, options: SessionOptions): Promise<Session> {
  const pool = new Pool(stack.apiUrl, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const tracker = await startCompletionTracker(stack.natsUrl, stack.topology);
  const backlog = await createBacklogReader(tracker.nats, stack.topology);
  const mongo = new MongoClient(stack.mongoUrl, {
    maxPoolSize: 4,
    serverSelectionTimeoutMS: 10_000,
    // A store that is busy scanning, or wedged, must not stall the bench: counts give up and report null.
    socketTimeoutMS: options.probeTimeoutMs,
  });
  await mongo.connect();
  const db = mongo.db(stack.mongoDb);
  const orders = () =>
    db
      .collection('orders')
      .estimatedDocumentCount()
      .catch(() => null);
  const servers = await serverFacts(tracker.nats, stack.mongoUrl);

  const ctx: StepContext = {
    stackLabel: stack.label,
    apiUrl: stack.apiUrl,
    pool,
    tracker,
    backlog,
    sampler,
    probe: {
      notifications: () =>
        db
          .collection('notifications')
          .countDocuments({})
          .catch(() => null),
      orders,
    },
    metricsUrls: stack.metricsUrls,
    maxOutstanding: options.maxOutstanding,
    probeTimeoutMs: options.probeTimeoutMs,
    signal: options.signal,
    crashed: () => stack.crashed(),
    log: options.log,
  };

  return {
    ctx,
    tracker,
    servers,
    orders,
    async settleWindows(counts, timeoutMs) {
      const pending = () =>
        tracker
          .windows()
          .filter((w) => counts(w.label))
          .reduce((sum, w) => sum + w.pending.size, 0);
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !options.signal.aborted) {
        if (pending() === 0 && isDrained(await backlog.read())) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const last = tracker.lastMatchedAtMs();
      return { pending: pending(), progressing: last !== undefined && Date.now() - last < STALL_MS };
    },
    async close() {
      await pool.close().catch(() => undefined);
      await tracker.close().catch(() => undefined);
      await mongo.close().catch(() => undefined);
    },
  };
}
