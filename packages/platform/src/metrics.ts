import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Registry } from 'prom-client';

/**
 * A registry per process with the default Node metrics and a `service` label, so one
 * Prometheus query can tell the services apart. Families are added by the code that
 * owns them, with the `orderflow_` prefix (SPEC §9).
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
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
