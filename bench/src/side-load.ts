import { Client, type Dispatcher } from 'undici';
import { runOpenLoop } from './load.js';
import type { LoadResult } from './types.js';

/** Reads as a share of the POST rate in the mixed scenario. */
export const READ_SHARE = 0.2;
/** Live-stream clients held open through a mixed step. */
export const WATCHERS = 20;

/** The ids of the most recently accepted orders, for reads of single orders. */
export interface RecentOrders {
  add(id: string): void;
  pick(index: number): string | undefined;
}

/** A ring of the last `size` accepted order ids. */
export function recentOrders(size = 1_000): RecentOrders {
  const ids: string[] = [];
  let next = 0;
  return {
    add(id) {
      ids[next] = id;
      next = (next + 1) % size;
    },
    pick: (index) => (ids.length === 0 ? undefined : ids[index % ids.length]),
  };
}

/** Watchers of `GET /orders/stream` and what they received. */
export interface Watchers {
  readonly opened: number;
  readonly refused: number;
  readonly events: number;
  close(): Promise<void>;
}

/**
 * Opens `count` SSE clients on the live feed, each on its own connection (so the load
 * pool keeps all of its connections), counting the events they receive.
 */
export async function openWatchers(origin: string, count: number): Promise<Watchers> {
  const abort = new AbortController();
  const clients: Client[] = [];
  let opened = 0;
  let refused = 0;
  let events = 0;
  const reading: Promise<void>[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new Client(origin, { bodyTimeout: 0, headersTimeout: 10_000 });
      clients.push(client);
      try {
        const response = await client.request({ method: 'GET', path: '/orders/stream', signal: abort.signal });
        if (response.statusCode !== 200) {
          refused += 1;
          await response.body.dump();
          return;
        }
        opened += 1;
        reading.push(
          (async () => {
            let partial = '';
            for await (const chunk of response.body as AsyncIterable<Buffer>) {
              const lines = (partial + chunk.toString('utf8')).split('\n');
              partial = lines.pop() ?? '';
              for (const line of lines) if (line.startsWith('event:')) events += 1;
            }
          })().catch(() => undefined),
        );
      } catch {
        refused += 1;
      }
    }),
  );
  return {
    opened,
    refused,
    get events() {
      return events;
    },
    async close() {
      abort.abort();
      await Promise.all(reading);
      await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
    },
  };
}

/**
 * Reads at READ_SHARE of `postRate`: three of four are GET /orders/{id} of a recent
 * order, one is GET /orders?limit=20.
 */
export function runReads(
  dispatcher: Dispatcher,
  postRate: number,
  durationMs: number,
  recent: RecentOrders,
  maxOutstanding: number,
  graceMs: number,
  signal: AbortSignal | undefined,
): Promise<LoadResult> {
  return runOpenLoop({
    dispatcher,
    rate: Math.max(1, postRate * READ_SHARE),
    durationMs,
    maxOutstanding,
    graceMs,
    ...(signal === undefined ? {} : { signal }),
    next(index) {
      const id = index % 4 === 3 ? undefined : recent.pick(index * 7919);
      return { method: 'GET', path: id === undefined ? '/orders?limit=20' : `/orders/${encodeURIComponent(id)}` };
    },
  });
}
