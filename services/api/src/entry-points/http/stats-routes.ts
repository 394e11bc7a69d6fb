import type { FastifyInstance } from 'fastify';
import type { StatsReader } from '../../domain/system-stats.js';
import { errorResponses } from './response-schemas.js';
import { STATS_DESCRIPTION, StatsView } from './stats-schema.js';

/** `GET /stats`: cluster-wide processing statistics (SPEC §3). */
export function registerStatsRoutes(app: FastifyInstance, stats: StatsReader): void {
  const schema = {
    tags: ['stats'],
    summary: 'Processing statistics of the whole system',
    description: STATS_DESCRIPTION,
    response: { 200: StatsView, ...errorResponses(429, 503) },
  };
  app.get('/stats', { schema }, () => stats.read());
}
