import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import {
  applyEvent,
  envelopeOf,
  eventId,
  subjectOf,
  type Decision,
  type NewOrder,
  type Order,
  type OrderEvent,
  type OrderStatus,
  type Lane,
} from '@orderflow/core';
import {
  currentTraceparent,
  inOrderTrace,
  OrderflowError,
  type Db,
  type EventBus,
  type Logger,
} from '@orderflow/platform';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  EVENTS,
  ORDERS,
  toEvent,
  toEventDocument,
  toOrder,
  toOrderDocument,
  type EventDocument,
  type OrderDocument,
} from './documents.js';
import { createBatchedWrites } from './batched-writes.js';
import type { OrderMetrics } from './order-metrics.js';
import { guarded, isDuplicateKey } from './unavailable.js';

export interface OrderStoreOptions {
  readonly db: Db;
  readonly bus: EventBus;
  readonly log: Logger;
  /** `source` of published envelopes: the service name. */
  readonly source: string;
  readonly now?: () => number;
  /**
   * Test-only crash points (`after-append`: the event is stored, not yet published;
   * `after-publish`: published, `published_at` not yet set). Production passes nothing.
   */
  readonly faultPoint?: (point: FaultPoint) => void;
  /** Counts creations, transitions and completion times (the services that change orders). */
  readonly metrics?: OrderMetrics;
  /** Group commit of appends, first snapshots and outbox marks (BATCHING; default on). */
  readonly batching?: boolean;
  /** Orders whose latest known state this store keeps in memory (default RECENT_ORDERS). */
  readonly recentOrders?: number;
}

/**
 * Orders kept in memory by default: at a few thousand orders per second, those of the last
 * few seconds, which is when an order's later events come (payment webhooks, settlement).
 */
export const RECENT_ORDERS = 10_000;

export type FaultPoint = 'after-append' | 'after-publish';

export type CreateResult =
  | { readonly created: true; readonly order: Order }
  | { readonly created: false; readonly order: Order; readonly samePayload: boolean };

export type DecideResult =
  | { readonly outcome: 'appended'; readonly order: Order; readonly event: OrderEvent }
  | { readonly outcome: 'noop'; readonly order: Order; readonly reason: string }
  | { readonly outcome: 'refused'; readonly order: Order; readonly code: string; readonly reason: string }
  | { readonly outcome: 'not_found' };

export interface ListQuery {
  readonly status?: OrderStatus | undefined;
  readonly customerId?: string | undefined;
  readonly lane?: Lane | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export type OrderSummary = Omit<Order, 'history'>;

/** Too many writers changed the order between our read and our append. */
export class ContentionError extends OrderflowError {
  constructor(orderId: string, attempts: number) {
    super('ERR_CONTENTION', `order ${orderId} changed under ${attempts} attempts to append`);
  }
}

/** A cursor this API did not issue. */
export class InvalidCursorError extends OrderflowError {
  constructor() {
    super('ERR_INVALID_CURSOR', 'cursor is not one this API returned');
  }
}

const MAX_APPEND_ATTEMPTS = 25;

function attributesOf(event: OrderEvent) {
  return { 'order.id': event.order_id, 'orderflow.event.seq': event.seq };
}

/** The active trace, stored with a new order so that all its later work joins that trace. */
function traceField(): { trace?: string } {
  const trace = currentTraceparent();
  return trace === undefined ? {} : { trace };
}
const MAX_SNAPSHOT_PASSES = 5;

/**
 * The event store of SPEC §8: `order_events` is the source of truth and appending seq
 * n+1 is the compare-and-set; `orders` is a forward-only snapshot; every event is
 * published right after its append with `Nats-Msg-Id` = its id (the outbox), without
 * holding up its writer: `create` and `decide` return once the event and the snapshot
 * are stored.
 */
export function createOrderStore(options: OrderStoreOptions) {
  const { db, bus, log, source } = options;
  const now = options.now ?? Date.now;
  const events = db.collection<EventDocument>(EVENTS);
  const orders = db.collection<OrderDocument>(ORDERS);
  const writes = createBatchedWrites(events, orders, { batching: options.batching ?? true, now });
  /**
   * The latest state of each order this store appended to or read in full, newest orders
   * kept. Every entry is a state the order really had, so it is safe to decide on first:
   * when the order has moved on since, the append of seq n+1 collides and the next attempt
   * reads the store. It saves the snapshot read that starts most changes (on FerretDB a
   * scan of `orders`).
   */
  const recent = new LRUCache<string, Order>({ max: options.recentOrders ?? RECENT_ORDERS });

  /** The tail of each order's changes in progress here: see `oneAtATime`. */
  const changing = new Map<string, Promise<void>>();

  /**
   * Runs this process's changes of one order one after the other. Two at once would both
   * decide on the same state and one would lose the append and start over; in turn, the
   * second decides on the state the first left (kept in `recent`) and wins first time.
   * Other processes' changes still race ours, as SPEC §8 designs for.
   */
  function oneAtATime<T>(orderId: string, change: () => Promise<T>): Promise<T> {
    const before = changing.get(orderId);
    const result = before ? before.then(change) : change();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    changing.set(orderId, tail);
    void tail.then(() => {
      if (changing.get(orderId) === tail) changing.delete(orderId);
    });
    return result;
  }

  /** Keeps `order` as the latest known state unless a later one is kept already. */
  function remember(order: Order): Order {
    const kept = recent.peek(order.id);
    if (!kept || kept.version < order.version) recent.set(order.id, order);
    return order;
  }

  /**
   * Events by exact `_id` from `fromSeq` on, until the first gap. Lookups by `_id` are
   * the one access every MongoDB-compatible server serves from its primary index.
   */
  async function eventsFrom(orderId: string, fromSeq: number): Promise<OrderEvent[]> {
    const found: OrderEvent[] = [];
    for (let seq = fromSeq; ; seq++) {
      const doc = await events.findOne({ _id: eventId(orderId, seq) });
      if (!doc) return found;
      found.push(toEvent(doc));
    }
  }

  /** The order now: its stored snapshot (a fold of a prefix) plus any events after it. */
  async function current(orderId: string): Promise<Order | undefined> {
    return currentFrom(orderId, await orders.findOne({ _id: orderId }));
  }

  /** The snapshot `doc` (if any) folded forward with the events after it. */
  async function currentFrom(orderId: string, doc: OrderDocument | null): Promise<Order | undefined> {
    let order = doc ? toOrder(doc) : undefined;
    for (const event of await eventsFrom(orderId, (order?.version ?? 0) + 1)) order = applyEvent(order, event);
    return order && remember(order);
  }

  /**
   * The order as of `version` or later: the snapshot alone when it is that far (one
   * read), else the snapshot plus the events after it.
   */
  async function atLeast(orderId: string, version: number): Promise<Order | undefined> {
    const doc = await orders.findOne({ _id: orderId });
    if (doc && doc.version >= version) return toOrder(doc);
    return currentFrom(orderId, doc);
  }

  /** The stored snapshot, or the fold of the events when there is none (yet). */
  function snapshotOrCurrent(orderId: string): Promise<Order | undefined> {
    return atLeast(orderId, 0);
  }

  async function load(orderId: string): Promise<Order | undefined> {
    return guarded('reading an order', () => current(orderId));
  }

  /**
   * Writes the snapshot unless a newer one is there. The servers we support may read
   * then write (no atomic conditional update), so a stale write can land after a newer
   * one: after writing, a newer event means we re-fold from the events and write again.
   */
  async function writeSnapshot(order: Order): Promise<void> {
    let latest = order;
    // Upsert while the order may have no snapshot yet; once one is known to be there, update.
    let upsert = true;
    for (let pass = 0; pass < MAX_SNAPSHOT_PASSES; pass++) {
      try {
        const result = await orders.updateOne(
          { _id: latest.id, version: { $lt: latest.version } },
          { $set: toOrderDocument(latest) },
          { upsert },
        );
        // Nothing matched: a snapshot at least as new is there already.
        if (result.matchedCount === 0 && result.upsertedCount === 0) return;
      } catch (error) {
        // A duplicate key: a snapshot is there that the version guard did not match. It is
        // as new as ours or newer, unless (on servers that read then write) another writer
        // inserted an older one between our read and our insert: the update tells which.
        if (!isDuplicateKey(error) || !upsert) throw error;
        upsert = false;
        continue;
      }
      // Our write landed; if a later event exists, its writer's snapshot may have been
      // overwritten by ours, so fold forward and write again.
      const newer = await events.findOne({ _id: eventId(latest.id, latest.version + 1) }, { projection: { _id: 1 } });
      if (!newer) return;
      const refolded = await current(latest.id);
      if (!refolded) return;
      latest = refolded;
    }
    log.warn({ 'order.id': order.id }, 'snapshot still behind after repeated writes; the sweep will repair it');
  }

  async function publish(event: OrderEvent, lane: Lane): Promise<boolean> {
    const id = eventId(event.order_id, event.seq);
    try {
      await bus.publish(subjectOf(event.type, lane), JSON.stringify(envelopeOf(event, source)), {
        msgId: id,
        headers: { 'content-type': 'application/json' },
      });
    } catch (error) {
      log.warn(
        { err: error, 'order.id': event.order_id, 'event.action': 'publish-deferred' },
        `publishing ${id} failed; the outbox sweep will retry`,
      );
      return false;
    }
    options.faultPoint?.('after-publish');
    await writes.markPublished(id);
    return true;
  }

  /** Publishes started after an append and not yet marked: `settled()` waits for them. */
  const publishing = new Set<Promise<void>>();

  /**
   * Publishes and marks an event without holding up its writer: the event is durable, so
   * a publish or mark that fails or never happens (a crash) is the outbox sweep's to do.
   */
  function publishSoon(event: OrderEvent, lane: Lane): void {
    const sent = publish(event, lane).then(
      () => undefined,
      (error: unknown) =>
        log.warn(
          { err: error, 'order.id': event.order_id, 'event.action': 'publish-deferred' },
          `marking ${eventId(event.order_id, event.seq)} published failed; the outbox sweep will retry`,
        ),
    );
    publishing.add(sent);
    void sent.finally(() => publishing.delete(sent));
  }

  async function afterAppend(previous: Order | undefined, event: OrderEvent): Promise<Order> {
    options.faultPoint?.('after-append');
    const order = remember(applyEvent(previous, event));
    if (previous) options.metrics?.changed(previous, order);
    else options.metrics?.created(order);
    if (previous) {
      // Consumers of a change may read the snapshot (the notifier does): it goes first.
      await writeSnapshot(order);
      publishSoon(event, order.lane);
    } else {
      // Nobody reads a new order's snapshot on its way (the processor takes the order from
      // the message), so the publish runs alongside the insert. The insert has nothing
      // older to replace, and a duplicate means a later snapshot is there.
      publishSoon(event, order.lane);
      await writes.insertSnapshot(toOrderDocument(order));
    }
    return order;
  }

  async function decideNow(
    orderId: string,
    decide: (order: Order) => Decision,
    known: Order | undefined,
  ): Promise<DecideResult> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      // The first attempt decides on what is already known (the caller's copy or the
      // latest state this store saw, else the snapshot alone), skipping the lookup of a
      // later event, which on some servers scans every event: if the order moved on,
      // the append collides with the later event and the next attempt reads it all.
      const optimistic =
        attempt === 1 ? (newest(known, recent.get(orderId)) ?? (await snapshotOrCurrent(orderId))) : undefined;
      let order = optimistic ?? (await current(orderId));
      if (!order) return { outcome: 'not_found' };
      let decision = decide(order);
      if (optimistic && decision.outcome !== 'append') {
        // Only an append is checked by the store; anything else is decided on the whole truth.
        order = await current(orderId);
        if (!order) return { outcome: 'not_found' };
        decision = decide(order);
      }
      if (decision.outcome === 'noop') return { outcome: 'noop', order, reason: decision.reason };
      if (decision.outcome === 'refuse') {
        return { outcome: 'refused', order, code: decision.code, reason: decision.reason };
      }
      const base = order;
      const event = {
        ...decision.event,
        order_id: orderId,
        seq: base.version + 1,
        at: new Date(now()).toISOString(),
      } as OrderEvent;
      const appended = await inOrderTrace(base.trace, event.type, { 'order.id': orderId }, async () =>
        (await writes.insertEvent(toEventDocument(event))) === 'duplicate' ? undefined : afterAppend(base, event),
      );
      if (appended) return { outcome: 'appended', order: appended, event };
      if (attempt > 1) await sleep(Math.random() * Math.min(50, attempt * 5));
    }
    throw new ContentionError(orderId, MAX_APPEND_ATTEMPTS);
  }

  return {
    load,

    /** Creates an order by inserting its seq 1; a repeat of its id returns the original. */
    async create(order: NewOrder, requestHash: string): Promise<CreateResult> {
      return guarded('creating an order', async () => {
        const event: OrderEvent = {
          type: 'order.created',
          data: { order, request_hash: requestHash, ...traceField() },
          order_id: order.id,
          seq: 1,
          at: new Date(now()).toISOString(),
        };
        if ((await writes.insertEvent(toEventDocument(event))) === 'duplicate') {
          const existing = await current(order.id);
          if (!existing) throw new Error(`order ${order.id}: seq 1 exists but cannot be read`);
          return { created: false, order: existing, samePayload: existing.request_hash === requestHash };
        }
        return { created: true, order: await afterAppend(undefined, event) };
      });
    },

    /**
     * Decides against the order's current events and appends the decided event as seq
     * n+1; when another writer got there first, re-reads and decides again.
     */
    async decide(
      orderId: string,
      decide: (order: Order) => Decision,
      options: { readonly known?: Order } = {},
    ): Promise<DecideResult> {
      return guarded('changing an order', () => oneAtATime(orderId, () => decideNow(orderId, decide, options.known)));
    },

    /**
     * Waits for the publishes started by earlier appends (each with its `published_at`
     * mark). Services await it on shutdown, after their last append and before NATS and
     * MongoDB close.
     */
    async settled(): Promise<void> {
      while (publishing.size > 0) await Promise.all(publishing);
    },

    /** Rewrites a lagging snapshot from the events (after a crash between append and snapshot). */
    async repairSnapshot(orderId: string): Promise<Order | undefined> {
      return guarded('repairing a snapshot', async () => {
        const order = await current(orderId);
        if (order) await writeSnapshot(order);
        return order;
      });
    },

    /** The order as of `version` or later, from the snapshot alone when it is that far. */
    async loadAtLeast(orderId: string, version: number): Promise<Order | undefined> {
      return guarded('reading an order', () => atLeast(orderId, version));
    },

    /**
     * The order at some version: the latest state this store saw, else the snapshot, else
     * the fold of its events; undefined if unknown. For what an order never changes once
     * created (that it exists, its trace and lane), where any version will do.
     */
    async anyVersion(orderId: string): Promise<Order | undefined> {
      return recent.get(orderId) ?? (await guarded('reading an order', () => snapshotOrCurrent(orderId)));
    },

    /** The stored snapshot (for reads); undefined if unknown. */
    async snapshot(orderId: string): Promise<Order | undefined> {
      return guarded('reading an order', async () => {
        const doc = await orders.findOne({ _id: orderId });
        return doc ? toOrder(doc) : undefined;
      });
    },

    /** The order's events in seq order, from `fromSeq` on. */
    async events(orderId: string, fromSeq = 1): Promise<OrderEvent[]> {
      return guarded('reading events', () => eventsFrom(orderId, fromSeq));
    },

    /** Orders newest first, filtered, one page at a time. */
    async list(query: ListQuery): Promise<{ orders: OrderSummary[]; nextCursor: string | null }> {
      const filter: Record<string, unknown> = {};
      if (query.status !== undefined) filter.status = query.status;
      if (query.customerId !== undefined) filter.customer_id = query.customerId;
      if (query.lane !== undefined) filter.lane = query.lane;
      if (query.cursor !== undefined) {
        const cursor = decodeCursor(query.cursor);
        if (!cursor) throw new InvalidCursorError();
        filter.$or = [
          { created_at: { $lt: cursor.createdAt } },
          { created_at: cursor.createdAt, _id: { $lt: cursor.id } },
        ];
      }
      return guarded('listing orders', async () => {
        const docs = await orders
          .find(filter, { projection: { history: 0 } })
          .sort({ created_at: -1, _id: -1 })
          .limit(query.limit + 1)
          .toArray();
        const page = docs.slice(0, query.limit).map((doc) => {
          const { history: _history, ...summary } = toOrder({ ...doc, history: [] });
          return summary;
        });
        const last = docs.length > query.limit ? docs[query.limit - 1] : undefined;
        return { orders: page, nextCursor: last ? encodeCursor({ createdAt: last.created_at, id: last._id }) : null };
      });
    },

    /**
     * Publishes events a crash left unpublished (older than `olderThanMs`), each order's
     * in seq order; returns how many were published.
     */
    async publishUnpublished(olderThanMs: number, limit: number): Promise<number> {
      return guarded('sweeping the outbox', async () => {
        const stale = await events
          .find({ unpublished: true, at: { $lt: new Date(now() - olderThanMs) } })
          .sort({ order_id: 1, seq: 1 })
          .limit(limit)
          .toArray();
        let published = 0;
        const orders = new Map<string, { lane: Lane; trace: string | undefined }>();
        for (const doc of stale) {
          let order = orders.get(doc.order_id);
          if (!order) {
            // An unpublished event may also be missing from the snapshot (a crash right
            // after the append): bring the snapshot forward before publishing.
            const latest = await current(doc.order_id);
            if (latest) await writeSnapshot(latest);
            order = { lane: latest?.lane ?? 'normal', trace: latest?.trace };
            orders.set(doc.order_id, order);
          }
          const { lane, trace } = order;
          const event = toEvent(doc);
          const sent = await inOrderTrace(trace, `outbox ${event.type}`, attributesOf(event), () =>
            publish(event, lane),
          );
          if (!sent) break;
          published++;
        }
        return published;
      });
    },
  };
}

/** The later of two known states of one order. */
function newest(a: Order | undefined, b: Order | undefined): Order | undefined {
  if (!a || !b) return a ?? b;
  return b.version > a.version ? b : a;
}

export type OrderStore = ReturnType<typeof createOrderStore>;
