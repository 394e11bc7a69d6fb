import type { Logger } from 'pino';
import { runConsumerLoop, type DeliverySource } from './consumer-loop.js';
import { deadLetterEnvelope } from './dead-letter.js';
import { DLQ_PREFIX, type Topology } from './topology.js';
import type { ConsumeOptions, Consumption, EventBus, MessageHandler } from './types.js';

/**
 * The consuming half both bus implementations share: every consumption runs the one
 * consume loop with the consumer's retry settings, dead letters go to `DLQ` through the
 * bus's own publish, and `stopAll` ends whatever is still running.
 */
export function createConsumptions(topology: Topology, publish: EventBus['publish'], log: Logger | undefined) {
  const active = new Set<Consumption>();
  return {
    start(durable: string, source: DeliverySource, handler: MessageHandler, options: ConsumeOptions): Consumption {
      const spec = topology.consumer(durable);
      const consumption = runConsumerLoop({
        durable,
        source,
        handler,
        maxDeliver: spec.maxDeliver ?? topology.settings.maxDeliver,
        backoffMs: topology.settings.backoffMs,
        concurrency: options.concurrency ?? 1,
        onOutcome: options.onOutcome,
        log,
        async deadLetter(letter) {
          const { headers, msgId } = deadLetterEnvelope(letter);
          await publish(DLQ_PREFIX + letter.originalSubject, letter.data, { headers, msgId });
        },
      });
      active.add(consumption);
      return {
        async stop(graceMs) {
          active.delete(consumption);
          await consumption.stop(graceMs);
        },
      };
    },
    async stopAll(): Promise<void> {
      const running = [...active];
      active.clear();
      await Promise.all(running.map((c) => c.stop(0)));
    },
  };
}
