import { readOrderStats } from '@orderflow/event-store';
import { UnavailableError, type Runtime } from '@orderflow/platform';
import { createStatsReader, type StatsReader } from './domain/system-stats.js';

/** /stats over this process's runtime: MongoDB for counts, its bus and presence for the rest. */
export function statsReaderOf(runtime: Omit<Runtime, 'app'>, startedAt: Date): StatsReader {
  return createStatsReader({
    orderStats: () => readOrderStats(runtime.mongo.db),
    backlog: (durable) => {
      // While reconnecting a request would wait out its timeout: answer without it at once.
      if (runtime.nats && !runtime.nats.isConnected()) {
        return Promise.reject(new UnavailableError('NATS is not connected'));
      }
      return runtime.bus.backlog(durable);
    },
    presence: runtime.presence,
    startedAt,
    log: runtime.log,
  });
}
