import { ORDERS } from '@orderflow/event-store';
import type { Db } from '@orderflow/platform';

/** Where the previous page ended: pages are walked by (time, id), so each one moves forward. */
export interface PageCursor {
  readonly at: Date;
  readonly id: string;
}

/** A due order: its id, and the trace its creation began (its later work joins it). */
export interface DueOrder {
  readonly id: string;
  readonly trace: string | undefined;
}

/** One page of due orders and the cursor after its last entry (undefined when empty). */
export interface OrderPage {
  readonly orders: readonly DueOrder[];
  readonly next: PageCursor | undefined;
}

/** The snapshot fields these queries read; the rest of the document is never loaded. */
interface DueOrderDocument {
  _id: string;
  status: string;
  updated_at: Date;
  settle_at: Date | null;
  trace?: string;
}

/**
 * Open (`pending` or `processing`) orders whose snapshot last changed before
 * `updatedBefore`, oldest first, after `after`. Served by the `status_updated` index.
 */
export async function findStaleOrders(
  db: Db,
  query: { readonly updatedBefore: Date; readonly after: PageCursor | undefined; readonly limit: number },
): Promise<OrderPage> {
  return findPage(
    db,
    { status: { $in: ['pending', 'processing'] }, updated_at: { $lt: query.updatedBefore } },
    'updated_at',
    query.after,
    query.limit,
  );
}

/**
 * `processing` orders whose final payment has waited until `dueBy` or longer, earliest
 * first, after `after`. Served by the `settle_at` index.
 */
export async function findOverdueSettlements(
  db: Db,
  query: { readonly dueBy: Date; readonly after: PageCursor | undefined; readonly limit: number },
): Promise<OrderPage> {
  return findPage(
    db,
    { status: 'processing', settle_at: { $ne: null, $lte: query.dueBy } },
    'settle_at',
    query.after,
    query.limit,
  );
}

/**
 * Walks by (field, _id) rather than re-running the same query: an order the job leaves
 * as it is (it moved meanwhile, or its snapshot lags) is passed over instead of being
 * returned again, so a tick always ends.
 */
async function findPage(
  db: Db,
  filter: Record<string, unknown>,
  field: 'updated_at' | 'settle_at',
  after: PageCursor | undefined,
  limit: number,
): Promise<OrderPage> {
  const page = after
    ? { $and: [filter, { $or: [{ [field]: { $gt: after.at } }, { [field]: after.at, _id: { $gt: after.id } }] }] }
    : filter;
  const docs = await db
    .collection<DueOrderDocument>(ORDERS)
    .find(page, { projection: { _id: 1, [field]: 1, trace: 1 } })
    .sort({ [field]: 1, _id: 1 })
    .limit(limit)
    .toArray();
  const last = docs.at(-1);
  const lastAt = last?.[field];
  return {
    orders: docs.map((doc) => ({ id: doc._id, trace: doc.trace })),
    next: last && lastAt ? { at: lastAt, id: last._id } : undefined,
  };
}
