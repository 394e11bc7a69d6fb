import { TERMINAL_STATUSES, type TerminalStatus } from '@orderflow/core';
import type { Db } from '@orderflow/platform';
import { ORDERS, type OrderDocument } from './documents.js';
import { guarded } from './unavailable.js';

/** What the `orders` snapshots say about finished orders (SPEC §3 `/stats`). */
export interface OrderStats {
  /** Orders in each terminal status; every terminal status is present. */
  readonly byStatus: Readonly<Record<TerminalStatus, number>>;
  /** Orders in any terminal status. */
  readonly terminal: number;
  /** Mean milliseconds from creation to the terminal event, over terminal orders; null when there are none. */
  readonly averageProcessTimeMs: number | null;
}

const TERMINAL_FILTER = { status: { $in: [...TERMINAL_STATUSES] } };
const TIMED_FILTER = { ...TERMINAL_FILTER, process_time_ms: { $exists: true } };

/**
 * Counts terminal orders by status and averages their process time, cluster-wide, with
 * `$match` and `$group` only. Each `$group` has ONE accumulator: FerretDB 1.24 answers 0
 * for every accumulator after the first in a `$group`, and has neither `$avg` nor
 * `$count`; the mean is the sum divided by the number of timed orders. Served by the
 * indexes that lead with `status`.
 */
export async function readOrderStats(db: Db): Promise<OrderStats> {
  const orders = db.collection<OrderDocument>(ORDERS);
  return guarded('reading order statistics', async () => {
    const [counts, timeSums, timedCounts] = await Promise.all([
      orders
        .aggregate<{ _id: string; count: number }>([
          { $match: TERMINAL_FILTER },
          { $group: { _id: '$status', count: { $sum: 1 } } },
        ])
        .toArray(),
      orders
        .aggregate<{ _id: null; sum: number }>([
          { $match: TIMED_FILTER },
          { $group: { _id: null, sum: { $sum: '$process_time_ms' } } },
        ])
        .toArray(),
      orders
        .aggregate<{ _id: null; count: number }>([
          { $match: TIMED_FILTER },
          { $group: { _id: null, count: { $sum: 1 } } },
        ])
        .toArray(),
    ]);
    const byStatus = Object.fromEntries(TERMINAL_STATUSES.map((status) => [status, 0])) as Record<
      TerminalStatus,
      number
    >;
    for (const { _id, count } of counts) if (_id in byStatus) byStatus[_id as TerminalStatus] = count;
    const timed = timedCounts[0]?.count ?? 0;
    return {
      byStatus,
      terminal: TERMINAL_STATUSES.reduce((sum, status) => sum + byStatus[status], 0),
      averageProcessTimeMs: timed === 0 ? null : (timeSums[0]?.sum ?? 0) / timed,
    };
  });
}
