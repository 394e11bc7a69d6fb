import t from 'tap';
import type { PresenceMember } from '@orderflow/platform';
import { summarize } from '../src/domain/system-stats.js';

const NOW_MS = Date.parse('2026-07-01T12:00:00.000Z');
const orders = {
  byStatus: { completed: 5, failed: 2, rejected: 3, expired: 1, cancelled: 4 },
  terminal: 15,
  averageProcessTimeMs: 1_234.5,
};
const idle = { pending: 0, ackPending: 0 };
const member = (
  kind: 'api' | 'processor',
  threads: number,
  startedAt = '2026-07-01T11:00:00.000Z',
): PresenceMember => ({
  id: `${kind}-${threads}-${startedAt}`,
  kind,
  threads,
  startedAt,
  host: 'h',
  pid: 1,
});
const observed = {
  orders,
  backlogs: [idle, idle, idle],
  processors: [] as PresenceMember[],
  apis: [] as PresenceMember[],
  startedAt: new Date(NOW_MS - 10_000),
  nowMs: NOW_MS,
};

t.test('errors are failed, rejected and expired orders; cancelled ones count as processed only', async (t) => {
  t.match(summarize(observed), { total_processed: 15, success_count: 5, error_count: 6 });
});

t.test('the average is rounded to whole milliseconds and stays null before any order ends', async (t) => {
  t.equal(summarize(observed).average_process_time_ms, 1_235);
  const none = { byStatus: { ...orders.byStatus }, terminal: 0, averageProcessTimeMs: null };
  t.equal(summarize({ ...observed, orders: none }).average_process_time_ms, null);
});

t.test('a lane queue is its pending plus its unacknowledged messages, and the total adds the lanes', async (t) => {
  const backlogs = [
    { pending: 3, ackPending: 1 },
    { pending: 0, ackPending: 2 },
    { pending: 7, ackPending: 0 },
  ];
  t.same(summarize({ ...observed, backlogs }).queue_length, { high: 4, normal: 2, low: 7, total: 13 });
});

t.test('a lane that cannot be read is null, and so is the total', async (t) => {
  const backlogs = [{ pending: 3, ackPending: 1 }, undefined, idle];
  t.same(summarize({ ...observed, backlogs }).queue_length, { high: 4, normal: null, low: 0, total: null });
});

t.test('active workers add up the threads of every live processor; unknown presence is null', async (t) => {
  const processors = [member('processor', 3), member('processor', 1), member('processor', 4)];
  t.equal(summarize({ ...observed, processors }).active_workers, 8);
  t.equal(summarize(observed).active_workers, 0, 'no processor alive');
  t.equal(summarize({ ...observed, processors: undefined }).active_workers, null);
});

t.test('uptime runs from the oldest api start, this process included, in whole seconds', async (t) => {
  const apis = [
    member('api', 1, new Date(NOW_MS - 90_500).toISOString()),
    member('api', 1, new Date(NOW_MS - 5_000).toISOString()),
  ];
  t.equal(summarize({ ...observed, apis }).uptime_seconds, 90);
  t.equal(summarize({ ...observed, apis: undefined }).uptime_seconds, 10, 'presence unknown: this process');
  t.equal(
    summarize({ ...observed, startedAt: new Date(NOW_MS + 2_000) }).uptime_seconds,
    0,
    'a clock behind another never makes it negative',
  );
});
