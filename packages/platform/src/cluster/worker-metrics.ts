import type { Registry } from 'prom-client';
import { errorMessage } from '../errors.js';
import type { MetricsExposition } from '../metrics.js';
import { isMetricsMessage, METRICS_MESSAGE, type MetricsMessage } from './metrics-messages.js';

/** Longer than the primary's own gathering deadline, so the primary's answer (or error) comes first. */
const ANSWER_TIMEOUT_MS = 5_000;

interface Waiting {
  resolve(text: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * `/metrics` of a node:cluster worker (SPEC §3: aggregated across workers): answers the
 * primary's collections with `registry`, and serves a scrape by asking the primary for
 * the aggregate of every worker.
 */
export function clusterWorkerMetrics(registry: Registry): MetricsExposition {
  if (!process.send) throw new Error('cluster metrics need the IPC channel of a node:cluster worker');
  const waiting = new Map<number, Waiting>();
  let nextRequestId = 0;

  // Sent with a callback so a closed channel (the primary is gone) is an answer, not an 'error' event.
  const post = (message: MetricsMessage, onError: (error: Error) => void = () => undefined) =>
    process.send?.(message, undefined, {}, (error: Error | null) => {
      if (error) onError(error);
    });

  const onMessage = (message: unknown) => {
    if (isMetricsMessage(message, METRICS_MESSAGE.collect)) {
      const { requestId } = message;
      registry.getMetricsAsJSON().then(
        (metrics) => post({ type: METRICS_MESSAGE.collected, requestId, metrics }),
        (error: unknown) => post({ type: METRICS_MESSAGE.collected, requestId, error: errorMessage(error) }),
      );
    } else if (isMetricsMessage(message, METRICS_MESSAGE.aggregate)) {
      const request = waiting.get(message.requestId);
      if (!request) return;
      waiting.delete(message.requestId);
      clearTimeout(request.timer);
      if (typeof message.text === 'string') request.resolve(message.text);
      else request.reject(new Error(message.error ?? 'the cluster primary sent no metrics'));
    }
  };
  process.on('message', onMessage);
  post({ type: METRICS_MESSAGE.ready });

  return {
    contentType: registry.contentType,
    metrics() {
      const requestId = nextRequestId++;
      return new Promise<string>((resolve, reject) => {
        const fail = (error: Error) => {
          if (!waiting.delete(requestId)) return;
          clearTimeout(timer);
          reject(error);
        };
        const timer = setTimeout(
          () => fail(new Error(`the cluster primary did not answer within ${ANSWER_TIMEOUT_MS} ms`)),
          ANSWER_TIMEOUT_MS,
        );
        waiting.set(requestId, { resolve, reject, timer });
        post({ type: METRICS_MESSAGE.request, requestId }, fail);
      });
    },
    close() {
      process.off('message', onMessage);
      for (const request of waiting.values()) {
        clearTimeout(request.timer);
        request.reject(new Error('the service is stopping'));
      }
      waiting.clear();
    },
  };
}
