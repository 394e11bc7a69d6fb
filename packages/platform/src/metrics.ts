import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export type { Registry } from 'prom-client';

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * A registry per process with the default Node metrics and a `service` label, so one
 * Prometheus query can tell the services apart. Families are added by the code that
 * owns them, with the `orderflow_` prefix (SPEC §9).
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which `promtool check metrics` refuses; the same counts
  // stay, by type, in nodejs_active_handles, nodejs_active_requests and nodejs_active_resources.
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  registerEventLoopLag(registry);
  return registry;
}

/**
 * `orderflow_eventloop_lag_seconds`: the 99th percentile of the event loop's delay since
 * the previous scrape, so a stall between two scrapes shows instead of averaging away.
 */
function registerEventLoopLag(registry: Registry): void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  new Gauge({
    name: 'orderflow_eventloop_lag_seconds',
    help: '99th percentile of the event-loop delay since the previous scrape',
    registers: [registry],
    // Across api workers, the worst one is what a request may meet.
    aggregator: 'max',
    collect() {
      this.set(delay.count > 0 ? delay.percentile(99) / 1e9 : 0);
      delay.reset();
    },
  });
}

/**
 * What `/metrics` serves: the process's own registry, or in a cluster worker the
 * aggregate of every worker, which only the primary can gather.
 */
export interface MetricsExposition {
  readonly contentType: string;
  metrics(): Promise<string>;
  /** Called when the service stops. */
  close?(): void;
}

/**
 * `read` shared by the gauges of one scrape: their `collect()` calls made while a read
 * is under way get its result, so one scrape costs one read.
 */
export function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let reading: Promise<T> | undefined;
  return () => (reading ??= read().finally(() => setImmediate(() => (reading = undefined))));
}
