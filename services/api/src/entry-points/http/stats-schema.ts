import { Type } from 'typebox';

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Queue = (lane: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: `orders in the ${lane} lane not yet acknowledged by the processor; null while NATS cannot be asked`,
  });

/** A real answer: `npm run start:all-in-one` (two validation threads) after `npm run demo`. */
export const STATS_EXAMPLE = {
  total_processed: 10,
  success_count: 6,
  error_count: 3,
  average_process_time_ms: 2349,
  active_workers: 2,
  queue_length: { high: 0, normal: 0, low: 0, total: 0 },
  uptime_seconds: 65,
};

export const STATS_DESCRIPTION = `Cluster-wide: every api process gives the same answer.

- \`total_processed\`: orders in a terminal status (completed, failed, rejected, expired, cancelled).
- \`success_count\`: completed orders.
- \`error_count\`: failed (payment declined), rejected (a business rule failed) and expired
  (no progress within ORDER_TTL_MS) orders. Cancelled orders, the client's own choice, are
  processed but neither a success nor an error.
- \`average_process_time_ms\`: the mean time from an order's creation to its terminal event,
  over the processed orders, in whole milliseconds; null before any order is processed.
- \`active_workers\`: the validation threads of the live processor instances (each instance's
  pool size, added up), from their heartbeats; an instance that stops is gone at once, one
  that dies within 15 s. Null while NATS cannot be asked.
- \`queue_length\`: per lane, the new orders the processor's lane consumer has not yet
  acknowledged: waiting for delivery plus delivered and in progress; \`total\` adds the lanes
  (null when a lane is unknown).
- \`uptime_seconds\`: seconds since the oldest api process still running started; while NATS
  cannot be asked, since this process started.

Counts and times come from MongoDB (503 while it is down); the rest from NATS.`;

export const StatsView = Type.Object(
  {
    total_processed: Count('orders in a terminal status'),
    success_count: Count('completed orders'),
    error_count: Count('failed, rejected and expired orders'),
    average_process_time_ms: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'mean ms from creation to the terminal event; null before any order is processed',
    }),
    active_workers: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'validation threads of the live processor instances; null while NATS cannot be asked',
    }),
    queue_length: Type.Object({
      high: Queue('high'),
      normal: Queue('normal'),
      low: Queue('low'),
      total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'the three lanes added up' }),
    }),
    uptime_seconds: Count('seconds since the oldest live api process started'),
  },
  { examples: [STATS_EXAMPLE] },
);
