import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ConsumerSpec, StreamSpec, Topology } from './topology.js';

/**
 * Consumers are created with unlimited server-side deliveries: the consume loop enforces
 * RETRY_MAX_DELIVER itself and dead-letters, so a message is never dropped silently.
 */
const SERVER_MAX_DELIVER = -1;
const DEFAULT_MAX_ACK_PENDING = 1_000;

/**
 * Creates the streams and durable consumers of SPEC §4, or updates them when their
 * settings differ. Only NATS 2.9 fields are sent: older servers silently drop newer ones.
 */
export async function ensureTopology(jsm: JetStreamManager, topology: Topology, log: Logger): Promise<void> {
  for (const stream of topology.streams) {
    await ensureStream(jsm, topology, stream, log);
  }
  for (const consumer of topology.consumers) {
    await ensureConsumer(jsm, topology, consumer, log);
  }
}

function streamConfig(topology: Topology, spec: StreamSpec) {
  const { settings } = topology;
  return {
    name: topology.streamName(spec.name),
    subjects: spec.subjects.map((s) => topology.subject(s)),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: settings.replicas,
    max_age: nanos(settings.maxAgeMs),
    duplicate_window: nanos(settings.duplicateWindowMs),
  } satisfies Partial<StreamConfig>;
}

async function ensureStream(jsm: JetStreamManager, topology: Topology, spec: StreamSpec, log: Logger) {
  const wanted = streamConfig(topology, spec);
  const current = await jsm.streams.info(wanted.name).catch(notFoundAs(undefined));
  if (!current) {
    await jsm.streams.add(wanted);
    log.info({ 'event.action': 'stream-created', stream: wanted.name }, `created stream ${wanted.name}`);
    return;
  }
  const { config } = current;
  if (config.storage !== wanted.storage) {
    throw new Error(
      `stream ${wanted.name} uses ${config.storage} storage, expected ${wanted.storage}; ` +
        'storage cannot be changed in place: move the data and delete the stream',
    );
  }
  const differs =
    !sameList(config.subjects, wanted.subjects) ||
    config.retention !== wanted.retention ||
    config.discard !== wanted.discard ||
    config.num_replicas !== wanted.num_replicas ||
    config.max_age !== wanted.max_age ||
    config.duplicate_window !== wanted.duplicate_window;
  if (!differs) return;
  await jsm.streams.update(wanted.name, { ...config, ...wanted });
  log.info({ 'event.action': 'stream-updated', stream: wanted.name }, `updated stream ${wanted.name}`);
}

function consumerConfig(topology: Topology, spec: ConsumerSpec) {
  return {
    durable_name: spec.durable,
    filter_subject: topology.subject(spec.filterSubject),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(spec.ackWaitMs ?? topology.settings.ackWaitMs),
    max_deliver: SERVER_MAX_DELIVER,
    max_ack_pending: spec.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
  } satisfies Partial<ConsumerConfig>;
}

async function ensureConsumer(jsm: JetStreamManager, topology: Topology, spec: ConsumerSpec, log: Logger) {
  const stream = topology.streamName(spec.stream);
  const wanted = consumerConfig(topology, spec);
  const current = await jsm.consumers.info(stream, spec.durable).catch(notFoundAs(undefined));
  if (!current) {
    await jsm.consumers.add(stream, wanted);
    log.info(
      { 'event.action': 'consumer-created', consumer: spec.durable, stream },
      `created consumer ${spec.durable}`,
    );
    return;
  }
  const { config } = current;
  if (config.filter_subject !== wanted.filter_subject || config.ack_policy !== wanted.ack_policy) {
    // NATS 2.9 cannot change these in place.
    throw new Error(
      `consumer ${spec.durable} on ${stream} filters "${config.filter_subject}" with ack policy ` +
        `${config.ack_policy}, expected "${wanted.filter_subject}" / ${wanted.ack_policy}; delete it to recreate`,
    );
  }
  const differs =
    config.ack_wait !== wanted.ack_wait ||
    config.max_deliver !== wanted.max_deliver ||
    config.max_ack_pending !== wanted.max_ack_pending;
  if (!differs) return;
  await jsm.consumers.update(stream, spec.durable, {
    ack_wait: wanted.ack_wait,
    max_deliver: wanted.max_deliver,
    max_ack_pending: wanted.max_ack_pending,
  });
  log.info({ 'event.action': 'consumer-updated', consumer: spec.durable, stream }, `updated consumer ${spec.durable}`);
}

function notFoundAs<T>(value: T) {
  return (error: unknown): T => {
    if (
      error instanceof JetStreamApiError &&
      (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
    ) {
      return value;
    }
    throw error;
  };
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((item, i) => item === b[i]);
}
