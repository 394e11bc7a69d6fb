/**
 * The IPC protocol between a cluster's workers and its primary for `/metrics`. Any worker
 * may receive a scrape, but only the primary can reach every worker, so the worker asks
 * the primary, which collects each worker's registry and answers with the aggregate.
 */

export const METRICS_MESSAGE = {
  /** Worker → primary: its registry answers collections from now on. */
  ready: 'orderflow:metrics-ready',
  /** Primary → worker: send your registry (`getMetricsAsJSON`). */
  collect: 'orderflow:metrics-collect',
  /** Worker → primary: the registry, or why it could not be read. */
  collected: 'orderflow:metrics-collected',
  /** Worker → primary: a scrape arrived; aggregate every worker. */
  request: 'orderflow:metrics-request',
  /** Primary → worker: the aggregate as Prometheus text, or why there is none. */
  aggregate: 'orderflow:metrics-aggregate',
} as const;

export interface MetricsMessage {
  readonly type: string;
  readonly requestId?: number;
  /** `collected`: the worker's `registry.getMetricsAsJSON()`. */
  readonly metrics?: unknown[];
  /** `aggregate`: Prometheus text. */
  readonly text?: string;
  readonly error?: string;
}

/** Narrows an IPC message to one of the types above, with a numeric `requestId` unless `ready`. */
export function isMetricsMessage(message: unknown, type: string): message is MetricsMessage & { requestId: number } {
  if (typeof message !== 'object' || message === null) return false;
  const { type: actual, requestId } = message as { type?: unknown; requestId?: unknown };
  return actual === type && (type === METRICS_MESSAGE.ready || typeof requestId === 'number');
}
