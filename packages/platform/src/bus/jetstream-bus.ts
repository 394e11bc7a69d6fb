import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { UnavailableError } from '../errors.js';
import type { Delivery, DeliverySource } from './consumer-loop.js';
import { closeWhenLost } from './consumer-health.js';
import { createConsumptions } from './consumptions.js';
import { fromNatsHeaders, toNatsHeaders } from './headers.js';
import { watchJetStream } from './jetstream-watch.js';
import { payloadReaders, toBytes } from './message.js';
import type { Topology } from './topology.js';
import { tracedBus } from './traced-bus.js';
import type { EventBus, PublishOptions, Watch } from './types.js';

const PUBLISH_TIMEOUT_MS = 5_000;
/** How long one pull waits for messages before the next is sent. */
const FETCH_EXPIRES_MS = 5_000;

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
  const watches = new Set<Watch>();
  const batching = topology.settings.batching ?? true;

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
      async *deliveries(_max, signal, free) {
        const consumer = await js.consumers.get(stream, durable);
        // Each pull asks for as many messages as there are free handler slots, so no
        // delivered message waits in a client buffer without progress while its ack
        // timer runs: a slow handler must not make the server redeliver what is queued.
        while (!signal.aborted) {
          const max = batching ? Math.max(1, free()) : 1;
          const messages = await consumer.fetch({ max_messages: max, expires: FETCH_EXPIRES_MS });
          const stop = () => void messages.close();
          signal.addEventListener('abort', stop, { once: true });
          // A pull that silently stops receiving (missed heartbeats, consumer gone) is
          // closed and reported, so the consume loop binds again after a pause.
          let lost: string | undefined;
          closeWhenLost(messages, (reason) => (lost = reason));
          try {
            for await (const message of messages) yield toDelivery(message, durable, topology, batching);
          } finally {
            signal.removeEventListener('abort', stop);
            await messages.close();
          }
          if (lost && !signal.aborted) {
            log?.warn({ consumer: durable, 'event.action': 'consumer-rebind' }, `${durable}: ${lost}; binding again`);
            throw new Error(`${durable}: ${lost}`);
          }
        }
      },
    };
  }

  return tracedBus({
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
    watch(pattern, listener) {
      const watch = watchJetStream(js, topology, pattern, listener, log);
      watches.add(watch);
      return {
        close: async () => {
          watches.delete(watch);
          await watch.close();
        },
      };
    },
    async close() {
      await Promise.all([...watches].map((watch) => watch.close()));
      watches.clear();
      await consumptions.stopAll();
    },
  });
}

function logicalStream(topology: Topology, physical: string): string {
  return topology.streams.find((s) => topology.streamName(s.name) === physical)?.name ?? physical;
}

/**
 * With batching, an ack is sent without waiting for the server's confirmation, so the
 * acks of a pull leave together; a lost one only means a redelivery, which every handler
 * absorbs by `(order_id, seq)`. Without, each ack waits for its confirmation.
 */
function toDelivery(message: JsMsg, durable: string, topology: Topology, batching: boolean): Delivery {
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
      if (batching) message.ack();
      else await message.ackAck();
    },
    nak: (delayMs) => message.nak(delayMs),
    term: () => message.term(),
  };
}
