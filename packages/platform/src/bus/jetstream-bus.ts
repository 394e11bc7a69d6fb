import {
  jetstream,
  jetstreamManager,
  type ConsumerNotification,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { UnavailableError } from '../errors.js';
import type { Delivery, DeliverySource } from './consumer-loop.js';
import { createConsumptions } from './consumptions.js';
import { payloadReaders, toBytes } from './message.js';
import type { Topology } from './topology.js';
import type { EventBus, PublishOptions } from './types.js';

const PUBLISH_TIMEOUT_MS = 5_000;

/**
 * The event bus over NATS JetStream; streams and consumers come from `ensureTopology`.
 * `isConnected` lets a publish fail at once while the connection is down, instead of
 * waiting out its timeout: callers (the outbox, the webhook intake) have a better plan.
 */
export function createJetStreamBus(
  nc: NatsConnection,
  topology: Topology,
  log?: Logger,
  isConnected: () => boolean = () => !nc.isClosed(),
): EventBus {
  const js = jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS });
  let manager: Promise<JetStreamManager> | undefined;
  const consumptions = createConsumptions(topology, publish, log);

  async function publish(subject: string, data: Uint8Array | string, options: PublishOptions = {}) {
    if (!isConnected()) throw new UnavailableError(`NATS is not connected; ${subject} not published`);
    const ack = await js.publish(topology.subject(subject), toBytes(data), {
      ...(options.msgId === undefined ? {} : { msgID: options.msgId }),
      ...(options.headers ? { headers: toNatsHeaders(options.headers) } : {}),
    });
    return { stream: logicalStream(topology, ack.stream), seq: ack.seq, duplicate: ack.duplicate };
  }

  function source(durable: string): DeliverySource {
    const stream = topology.streamName(topology.consumer(durable).stream);
    return {
      async *deliveries(max, signal) {
        const consumer = await js.consumers.get(stream, durable);
        const messages = await consumer.consume({ max_messages: max });
        const stop = () => void messages.close();
        signal.addEventListener('abort', stop, { once: true });
        // A pull that silently stops receiving (missed heartbeats, consumer gone) is
        // closed and reported, so the consume loop binds again after a pause.
        let lost: string | undefined;
        void (async () => {
          for await (const status of messages.status()) {
            const reason = lostReason(status);
            if (reason) {
              lost = reason;
              log?.warn(
                { consumer: durable, 'event.action': 'consumer-rebind' },
                `${durable}: ${reason}; binding again`,
              );
              await messages.close();
              return;
            }
          }
        })();
        try {
          for await (const message of messages) yield toDelivery(message, durable, topology);
        } finally {
          signal.removeEventListener('abort', stop);
          await messages.close();
        }
        if (lost && !signal.aborted) throw new Error(`${durable}: ${lost}`);
      },
    };
  }

  return {
    publish,
    consume(durable, handler, options = {}) {
      return consumptions.start(durable, source(durable), handler, options);
    },
    async backlog(durable) {
      manager ??= jetstreamManager(nc);
      const jsm = await manager;
      const info = await jsm.consumers.info(topology.streamName(topology.consumer(durable).stream), durable);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    },
    async close() {
      await consumptions.stopAll();
    },
  };
}

const MISSED_HEARTBEATS_TO_REBIND = 3;

function lostReason(status: ConsumerNotification): string | undefined {
  if (status.type === 'heartbeats_missed' && status.count >= MISSED_HEARTBEATS_TO_REBIND) {
    return `${status.count} heartbeats missed`;
  }
  if (status.type === 'consumer_deleted') return 'consumer deleted';
  if (status.type === 'consumer_not_found' && status.count >= MISSED_HEARTBEATS_TO_REBIND) return 'consumer not found';
  return undefined;
}

function logicalStream(topology: Topology, physical: string): string {
  return topology.streams.find((s) => topology.streamName(s.name) === physical)?.name ?? physical;
}

function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(record)) h.set(key, value);
  return h;
}

function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!h) return record;
  for (const key of h.keys()) record[key] = h.get(key);
  return record;
}

function toDelivery(message: JsMsg, durable: string, topology: Topology): Delivery {
  const headers = fromNatsHeaders(message.headers);
  return {
    subject: topology.logicalSubject(message.subject),
    data: message.data,
    headers,
    msgId: headers['Nats-Msg-Id'],
    deliveryCount: message.info.deliveryCount,
    streamSequence: message.seq,
    consumer: durable,
    ...payloadReaders(message.data),
    working: () => message.working(),
    ack: async () => {
      await message.ackAck();
    },
    nak: (delayMs) => message.nak(delayMs),
    term: () => message.term(),
  };
}
