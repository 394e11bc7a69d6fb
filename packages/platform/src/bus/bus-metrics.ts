import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { oncePerScrape } from '../metrics.js';
import { subjectFamily } from './traced-bus.js';
import type { Topology } from './topology.js';
import type { EventBus, MessageOutcome } from './types.js';

const RESULTS = ['ack', 'nak', 'dlq'] as const;

/**
 * The bus with the consumer metrics of SPEC §9: `orderflow_messages_handled_total`
 * (consumer, result), `orderflow_dlq_messages_total` (original subject), and the queue
 * of every consumer this process consumes from, read from the server at each scrape:
 * `orderflow_consumer_pending_messages` (not yet delivered) and
 * `orderflow_consumer_ack_pending_messages` (delivered, not yet acknowledged).
 */
export function measuredBus(bus: EventBus, registry: Registry, topology: Topology, log?: Logger): EventBus {
  const registers = [registry];
  const handled = new Counter({
    name: 'orderflow_messages_handled_total',
    help: 'Messages handled by a durable consumer, by consumer and result (ack, nak: retried later, dlq: dead-lettered)',
    labelNames: ['consumer', 'result'] as const,
    registers,
  });
  const deadLettered = new Counter({
    name: 'orderflow_dlq_messages_total',
    help: 'Messages written to the DLQ stream after exhausting their deliveries or failing for good, by original subject',
    labelNames: ['subject'] as const,
    registers,
  });
  const durables = new Set<string>();
  // One consumer-info request per consumer and scrape, for both gauges.
  const readBacklogs = oncePerScrape(async () => {
    const backlogs = new Map<string, { pending: number; ackPending: number }>();
    await Promise.all(
      [...durables].map(async (durable) => {
        try {
          backlogs.set(durable, await bus.backlog(durable));
        } catch (error) {
          // Unknown for now (NATS down): no sample rather than a false zero.
          log?.debug({ err: error, consumer: durable }, 'reading the consumer backlog failed');
        }
      }),
    );
    return backlogs;
  });
  for (const [name, field, help] of [
    ['orderflow_consumer_pending_messages', 'pending', 'Messages of a durable consumer not yet delivered (its queue)'],
    [
      'orderflow_consumer_ack_pending_messages',
      'ackPending',
      'Messages of a durable consumer delivered, not yet acknowledged',
    ],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ['consumer'] as const,
      registers,
      // The consumer's value is the server's, the same from every replica.
      aggregator: 'first',
      async collect() {
        this.reset();
        for (const [durable, backlog] of await readBacklogs()) this.set({ consumer: durable }, backlog[field]);
      },
    });
  }

  function count(outcome: MessageOutcome): void {
    handled.inc({ consumer: outcome.consumer, result: outcome.result });
    if (outcome.result === 'dlq') deadLettered.inc({ subject: subjectFamily(outcome.subject) });
  }

  return {
    publish: (subject, data, options) => bus.publish(subject, data, options),
    backlog: (durable) => bus.backlog(durable),
    watch: (pattern, listener) => bus.watch(pattern, listener),
    close: () => bus.close(),
    consume(durable, handler, options = {}) {
      durables.add(durable);
      // Every series from the start, so rate() and alerts see 0 rather than nothing.
      for (const result of RESULTS) handled.inc({ consumer: durable, result }, 0);
      deadLettered.inc({ subject: subjectFamily(topology.consumer(durable).filterSubject) }, 0);
      const report = options.onOutcome;
      return bus.consume(durable, handler, {
        ...options,
        onOutcome: (outcome) => {
          count(outcome);
          report?.(outcome);
        },
      });
    },
  };
}
