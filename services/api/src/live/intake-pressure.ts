import { LANES } from '@orderflow/core';
import type { EventBus, Logger, Registry } from '@orderflow/platform';
import { Counter } from 'prom-client';
import { createBackpressure, type Admission, type BackpressureLimits } from '../domain/backpressure.js';

/** How often the processor lanes' backlog is read. */
const SAMPLE_MS = 1_000;

/**
 * Backpressure of order intake, fed with the backlog of the processor's lane consumers
 * once a second while NATS is there (without it, no backlog can grow that the processor
 * would have to work off: orders wait in the outbox). Counts refusals as
 * `orderflow_intake_shed_total{reason}`.
 */
export function startIntakePressure(options: {
  readonly limits: BackpressureLimits;
  readonly bus: Promise<EventBus>;
  readonly registry: Registry;
  readonly log: Logger;
}) {
  const pressure = createBackpressure(options.limits);
  const shed = new Counter({
    name: 'orderflow_intake_shed_total',
    help: 'Orders refused with 429 because the pipeline is behind, by reason (in_flight, store_wait, backlog)',
    labelNames: ['reason'] as const,
    registers: [options.registry],
  });
  for (const reason of ['in_flight', 'store_wait', 'backlog']) shed.inc({ reason }, 0);

  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let sampling = false;
  let bus: EventBus | undefined;
  void options.bus.then((connected) => (bus = connected));
  if (options.limits.maxBacklog > 0) {
    timer = setInterval(() => void sample(), SAMPLE_MS);
    timer.unref();
  }
  async function sample(): Promise<void> {
    // Not connected yet, or the last read still under way (NATS slow or away).
    const connected = bus;
    if (!connected || sampling) return;
    sampling = true;
    try {
      const backlogs = await Promise.all(LANES.map((lane) => connected.backlog(`processor-${lane}`)));
      pressure.observeBacklog(
        backlogs.reduce((sum, b) => sum + b.pending, 0),
        Date.now(),
      );
      failing = false;
    } catch (error) {
      // No sample: admission stops counting on the last one once it is stale.
      if (!failing) options.log.warn({ err: error, 'event.action': 'backlog-unknown' }, 'reading the backlog failed');
      failing = true;
    } finally {
      sampling = false;
    }
  }

  return {
    /** Whether to take a new order now; a refusal is counted. */
    admit(): Admission {
      const admission = pressure.admit(Date.now());
      if (!admission.admit) shed.inc({ reason: admission.reason });
      return admission;
    },
    begin: () => pressure.begin(Date.now()),
    stop(): void {
      clearInterval(timer);
    },
  };
}

export type IntakePressure = ReturnType<typeof startIntakePressure>;
