import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@orderflow/platform';
import type { BacklogReading } from './types.js';

/** Reads the pending + ack-pending messages of every durable consumer of the topology. */
export interface BacklogReader {
  read(): Promise<BacklogReading>;
}

/** A reader over `nats`; consumers are looked up by the topology's physical stream names. */
export async function createBacklogReader(nats: NatsConnection, topology: Topology): Promise<BacklogReader> {
  const jsm: JetStreamManager = await jetstreamManager(nats);
  return {
    async read() {
      const perConsumer: Record<string, number | null> = {};
      let total = 0;
      await Promise.all(
        topology.consumers.map(async (consumer) => {
          try {
            const info = await jsm.consumers.info(topology.streamName(consumer.stream), consumer.durable);
            const backlog = info.num_pending + info.num_ack_pending;
            perConsumer[consumer.durable] = backlog;
            total += backlog;
          } catch {
            perConsumer[consumer.durable] = null;
          }
        }),
      );
      return { total, perConsumer };
    },
  };
}

/** True when nothing is waiting: every consumer answered and has no backlog. */
export function isDrained(reading: BacklogReading): boolean {
  return reading.total === 0 && Object.values(reading.perConsumer).every((value) => value !== null);
}
