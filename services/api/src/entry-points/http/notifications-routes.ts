import type { FastifyInstance } from 'fastify';
import type { OrderStore } from '@orderflow/event-store';
import type { Db } from '@orderflow/platform';
import { ApiError } from './errors.js';
import { errorResponses, OrderNotifications } from './response-schemas.js';
import { OrderParams } from './schemas.js';

/** The notifier's audit collection (SPEC §6, §8); the api only reads it. */
const NOTIFICATIONS = 'notifications';
/** More than any order gets (one per terminal event), bounding a corrupt history. */
const MAX_RECORDS = 100;

export interface NotificationRoutesDependencies {
  readonly store: OrderStore;
  readonly db: Db;
}

/** `GET /orders/{id}/notifications`: the order's notification audit, oldest first (SPEC §3). */
export function registerNotificationRoutes(app: FastifyInstance, deps: NotificationRoutesDependencies): void {
  const schema = {
    tags: ['orders'],
    summary: "The order's notification audit records, oldest first",
    params: OrderParams,
    response: { 200: OrderNotifications, ...errorResponses(400, 404, 429, 503) },
  };
  app.get('/orders/:id/notifications', { schema }, async (request) => {
    const { id } = request.params as { id: string };
    // Asked through the store first: it maps an unreachable database to 503.
    const order = (await deps.store.snapshot(id)) ?? (await deps.store.load(id));
    if (!order) throw new ApiError(404, 'not_found', `order ${id} not found`);
    const records = await deps.db
      .collection<{ _id: string }>(NOTIFICATIONS)
      .find({ order_id: id })
      .sort({ created_at: 1, _id: 1 })
      .limit(MAX_RECORDS)
      .toArray();
    return { order_id: id, notifications: records.map(({ _id, ...record }) => record) };
  });
}
