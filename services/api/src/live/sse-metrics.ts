import { Gauge, type Registry } from 'prom-client';
import type { ClientLimits } from './client-limits.js';

/** `orderflow_sse_clients` (SPEC §9): live streams open in this process, read at scrape time. */
export function registerSseMetrics(registry: Registry, limits: ClientLimits): void {
  new Gauge({
    name: 'orderflow_sse_clients',
    help: 'Server-Sent Events streams open in this api process',
    registers: [registry],
    collect() {
      this.set(limits.total);
    },
  });
}
