export {
  ContentionError,
  createOrderStore,
  InvalidCursorError,
  type CreateResult,
  type DecideResult,
  type FaultPoint,
  type ListQuery,
  type OrderStore,
  type OrderStoreOptions,
  type OrderSummary,
} from './order-store.js';
export { decodeCursor, encodeCursor, type ListCursor } from './cursor.js';
export { EVENTS, ORDERS, toEvent, type EventDocument } from './documents.js';
export { readOrderStats, type OrderStats } from './order-stats.js';
export { createOrderMetrics, type OrderMetrics } from './order-metrics.js';
export { readOutboxState, type OutboxState } from './outbox-state.js';
