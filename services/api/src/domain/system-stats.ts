import { LANES, type Lane } from '@orderflow/core';
import type { OrderStats } from '@orderflow/event-store';
import type { Backlog, Logger, Presence, PresenceMember } from '@orderflow/platform';

/** The `/stats` answer (SPEC §3): the same whichever api process serves it. */
export interface SystemStats {
  readonly total_processed: number;
  readonly success_count: number;
  readonly error_count: number;
  readonly average_process_time_ms: number | null;
  readonly active_workers: number | null;
  readonly queue_length: Readonly<Record<Lane | 'total', number | null>>;
  readonly uptime_seconds: number;
}

export interface StatsSources {
  /** Throws an UnavailableError while MongoDB is down: /stats then answers 503. */
  readonly orderStats: () => Promise<OrderStats>;
  /** A durable consumer's backlog; throws while NATS is not connected. */
  readonly backlog: (durable: string) => Promise<Backlog>;
  readonly presence: Presence;
  /** When this api process started: the uptime while no other api can be seen. */
  readonly startedAt: Date;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * Reads the cluster-wide statistics: counts and times from the order snapshots, queue
 * lengths from the processor's lane consumers, workers and uptime from presence. Only
 * MongoDB is required; what NATS would tell is null while it cannot be asked.
 */
export function createStatsReader(sources: StatsSources) {
  const now = sources.now ?? Date.now;

  async function optional<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      sources.log.debug({ err: error, 'event.action': 'stats-partial' }, `stats without ${what}`);
      return undefined;
    }
  }

  return {
    async read(): Promise<SystemStats> {
      const [orders, backlogs, processors, apis] = await Promise.all([
        sources.orderStats(),
        Promise.all(LANES.map((lane) => optional(`the ${lane} lane`, () => sources.backlog(`processor-${lane}`)))),
        optional('processor presence', () => sources.presence.list('processor')),
        optional('api presence', () => sources.presence.list('api')),
      ]);
      return summarize({ orders, backlogs, processors, apis, startedAt: sources.startedAt, nowMs: now() });
    },
  };
}

export type StatsReader = ReturnType<typeof createStatsReader>;

interface Observations {
  readonly orders: OrderStats;
  /** In LANES order; undefined where the lane could not be read. */
  readonly backlogs: readonly (Backlog | undefined)[];
  readonly processors: readonly PresenceMember[] | undefined;
  readonly apis: readonly PresenceMember[] | undefined;
  readonly startedAt: Date;
  readonly nowMs: number;
}

/**
 * The definitions of /stats, documented in the route and the README: an order is
 * processed once terminal; success is `completed`; error is `failed`, `rejected` or
 * `expired`; `cancelled` (the client's choice) counts as processed but neither. A lane's
 * queue is what its consumer has not yet acknowledged. Uptime runs from the start of the
 * oldest api process still alive.
 */
export function summarize(observed: Observations): SystemStats {
  const { byStatus, terminal, averageProcessTimeMs } = observed.orders;
  const lanes = LANES.map((lane, i) => {
    const backlog = observed.backlogs[i];
    return [lane, backlog === undefined ? null : backlog.pending + backlog.ackPending] as const;
  });
  const known = lanes.map(([, length]) => length).filter((length) => length !== null);
  const starts = [observed.startedAt.getTime(), ...(observed.apis ?? []).map((api) => Date.parse(api.startedAt))];
  return {
    total_processed: terminal,
    success_count: byStatus.completed,
    error_count: byStatus.failed + byStatus.rejected + byStatus.expired,
    average_process_time_ms: averageProcessTimeMs === null ? null : Math.round(averageProcessTimeMs),
    active_workers: observed.processors?.reduce((sum, processor) => sum + processor.threads, 0) ?? null,
    queue_length: {
      ...(Object.fromEntries(lanes) as Record<Lane, number | null>),
      total: known.length === lanes.length ? known.reduce((sum, length) => sum + length, 0) : null,
    },
    uptime_seconds: Math.max(0, Math.floor((observed.nowMs - Math.min(...starts)) / 1_000)),
  };
}
