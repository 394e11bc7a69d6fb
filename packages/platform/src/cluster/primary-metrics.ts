import type { Cluster, Worker } from 'node:cluster';
import { AggregatorRegistry, type Aggregator } from 'prom-client';
import { errorMessage } from '../errors.js';
import { isMetricsMessage, METRICS_MESSAGE, type MetricsMessage } from './metrics-messages.js';

/** A worker that does not answer within this is stuck: the scrape fails rather than undercount. */
const GATHER_TIMEOUT_MS = 3_000;

/**
 * prom-client omits `process_start_time_seconds` when aggregating; the oldest worker's
 * start is the start of the instance, which uptime panels want.
 */
const AGGREGATOR_OVERRIDES: Readonly<Record<string, Aggregator>> = {
  process_start_time_seconds: 'min',
};

interface Gather {
  receive(workerId: number, message: MetricsMessage): void;
  /** The worker exited: the gather no longer waits for it. */
  drop(workerId: number): void;
}

/**
 * The primary's side of `/metrics` in a cluster: answers a worker's request with the
 * aggregate of every worker's registry (`AggregatorRegistry.aggregate`: counters and
 * histograms summed, each default metric by its own aggregator). Only workers that said
 * they are ready are asked, so a worker still starting never stalls a scrape, and one
 * that exits mid-gather is left out instead of failing it.
 */
export function serveClusterMetrics(cluster: Cluster): { close(): void } {
  const reporting = new Map<number, Worker>();
  const gathers = new Map<number, Gather>();
  let nextRequestId = 0;

  const post = (worker: Worker, message: MetricsMessage, onError: () => void = () => undefined) => {
    if (!worker.isConnected()) return onError();
    worker.send(message, (error: Error | null) => {
      if (error) onError();
    });
  };

  const collect = () =>
    new Promise<unknown[][]>((resolve, reject) => {
      const requestId = nextRequestId++;
      const pending = new Set([...reporting.values()].filter((w) => w.isConnected()).map((w) => w.id));
      const collected: unknown[][] = [];
      const finish = (error?: Error) => {
        if (!gathers.delete(requestId)) return;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(collected);
      };
      const timer = setTimeout(
        () => finish(new Error(`${pending.size} worker(s) sent no metrics within ${GATHER_TIMEOUT_MS} ms`)),
        GATHER_TIMEOUT_MS,
      );
      const gather: Gather = {
        receive(workerId, message) {
          if (!pending.delete(workerId)) return;
          if (message.error !== undefined || !Array.isArray(message.metrics)) {
            finish(new Error(`worker ${workerId} could not read its metrics: ${message.error ?? 'no metrics'}`));
            return;
          }
          collected.push(message.metrics.map(withOverriddenAggregator));
          if (pending.size === 0) finish();
        },
        drop(workerId) {
          if (pending.delete(workerId) && pending.size === 0) finish();
        },
      };
      gathers.set(requestId, gather);
      for (const id of pending) {
        const worker = reporting.get(id);
        if (worker) post(worker, { type: METRICS_MESSAGE.collect, requestId }, () => gather.drop(id));
      }
      if (pending.size === 0) finish();
    });

  const aggregate = async () => AggregatorRegistry.aggregate(await collect()).metrics();

  const onMessage = (worker: Worker, message: unknown) => {
    if (isMetricsMessage(message, METRICS_MESSAGE.ready)) {
      reporting.set(worker.id, worker);
    } else if (isMetricsMessage(message, METRICS_MESSAGE.collected)) {
      gathers.get(message.requestId)?.receive(worker.id, message);
    } else if (isMetricsMessage(message, METRICS_MESSAGE.request)) {
      const { requestId } = message;
      aggregate().then(
        (text) => post(worker, { type: METRICS_MESSAGE.aggregate, requestId, text }),
        (error: unknown) => post(worker, { type: METRICS_MESSAGE.aggregate, requestId, error: errorMessage(error) }),
      );
    }
  };
  const onExit = (worker: Worker) => {
    reporting.delete(worker.id);
    for (const gather of gathers.values()) gather.drop(worker.id);
  };
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);

  return {
    close() {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    },
  };
}

function withOverriddenAggregator(metric: unknown): unknown {
  const name = (metric as { name?: unknown }).name;
  const aggregator = typeof name === 'string' ? AGGREGATOR_OVERRIDES[name] : undefined;
  return aggregator ? { ...(metric as object), aggregator } : metric;
}
