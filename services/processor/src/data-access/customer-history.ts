import type { CustomerHistory } from '@orderflow/core';
import { ORDERS } from '@orderflow/event-store';
import type { Db } from '@orderflow/platform';

const DAY_MS = 24 * 3_600_000;
const WEEK_MS = 7 * DAY_MS;
/** Enough to tell a normal customer from a burst; more is not read. */
const MAX_RECENT = 1_000;

/** The customer's orders of the last week, as features for the risk model. */
export async function customerHistory(
  db: Db,
  customerId: string,
  excludeOrderId: string,
  nowMs: number,
): Promise<CustomerHistory> {
  const recent = await db
    .collection<{ _id: string; status: string; total_minor: number; created_at: Date }>(ORDERS)
    .find(
      { customer_id: customerId, created_at: { $gte: new Date(nowMs - WEEK_MS) } },
      { projection: { status: 1, total_minor: 1, created_at: 1 } },
    )
    .limit(MAX_RECENT)
    .toArray();
  let orders24h = 0;
  let spend24hMinor = 0;
  let rejected7d = 0;
  for (const order of recent) {
    if (order._id === excludeOrderId) continue;
    if (order.status === 'rejected') rejected7d++;
    if (order.created_at.getTime() >= nowMs - DAY_MS) {
      orders24h++;
      spend24hMinor += order.total_minor;
    }
  }
  return { orders_24h: orders24h, spend_24h_minor: spend24hMinor, rejected_7d: rejected7d };
}
