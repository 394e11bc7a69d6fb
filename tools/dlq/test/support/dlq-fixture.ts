import type { Test } from 'tap';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { uniqueName, useTestServers, type TestServers } from '@orderflow/testkit';
import {
  PermanentError,
  connectNats,
  createJetStreamBus,
  createLogger,
  createTopology,
  ensureTopology,
  type BusSettings,
  type EventBus,
  type NatsConnection,
  type PublishOptions,
  type Topology,
} from '@orderflow/platform';
import type { CommandDeps } from '../../src/commands/deps.js';
import type { Confirm } from '../../src/confirm.js';
import { dlqStreamName } from '../../src/dlq-subjects.js';
import { answering, captureOutput, type CapturedOutput } from './captured.js';
import { eventually } from './eventually.js';

const silentLog = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });

const SETTINGS: BusSettings = {
  kind: 'jetstream',
  namespace: undefined,
  replicas: 1,
  maxAgeMs: 3_600_000,
  duplicateWindowMs: 120_000,
  maxDeliver: 3,
  backoffMs: [100],
  ackWaitMs: 5_000,
};

/** Consumers whose handlers the tests decide: one per kind of subject dead letters come from. */
export const TEST_CONSUMERS = [
  { durable: 'test-high', stream: 'ORDERS', filterSubject: 'order.created.high' },
  { durable: 'test-low', stream: 'ORDERS', filterSubject: 'order.created.low' },
  { durable: 'test-payments', stream: 'PAYMENTS', filterSubject: 'payment.event.>' },
] as const;

/** The consumer that reads `subject` in TEST_CONSUMERS. */
type Durable = (typeof TEST_CONSUMERS)[number]['durable'];

/** Real NATS for one test file: started once, shared by its tests through fresh namespaces. */
export interface DlqServer {
  readonly servers: TestServers;
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
}

export async function startDlqServer(t: Test): Promise<DlqServer> {
  const servers = await useTestServers(t);
  const nats = await connectNats(
    { url: servers.natsUrl, user: undefined, password: undefined, token: undefined },
    { name: 'dlq-test', log: silentLog, onFatal: (error) => t.fail(`NATS closed: ${error.message}`) },
  );
  t.teardown(() => nats.drain());
  return { servers, nc: nats.nc, jsm: await jetstreamManager(nats.nc), js: jetstream(nats.nc) };
}

/** One test's own streams, a bus over them, and command dependencies writing to a capture. */
export interface DlqFixture {
  readonly namespace: string;
  readonly topology: Topology;
  readonly bus: EventBus;
  readonly out: CapturedOutput;
  readonly dlqStream: string;
  /** Dependencies for a command; `confirm` answers no unless given. */
  deps(confirm?: Confirm): CommandDeps;
  /**
   * Publishes each message to its subject and has the consumer of that subject fail it
   * permanently, so it lands in DLQ as in production. Resolves with the new DLQ
   * sequences, ascending (in publish order when all go through one consumer).
   */
  deadLetter(...messages: TestMessage[]): Promise<number[]>;
  /** Messages now in DLQ. */
  dlqCount(): Promise<number>;
}

export interface TestMessage {
  readonly subject: string;
  readonly durable: Durable;
  readonly data: Uint8Array | string;
  readonly options?: PublishOptions;
}

export async function createDlqFixture(t: Test, server: DlqServer): Promise<DlqFixture> {
  const namespace = uniqueName(server.servers.namespace);
  const topology = createTopology({ ...SETTINGS, namespace }, TEST_CONSUMERS);
  await ensureTopology(server.jsm, topology, silentLog);
  const bus = createJetStreamBus(server.nc, topology, silentLog);
  t.teardown(async () => {
    await bus.close();
    for (const stream of topology.streams) {
      await server.jsm.streams.delete(topology.streamName(stream.name)).catch(() => undefined);
    }
  });
  const out = captureOutput();
  const dlqStream = dlqStreamName(topology);
  const dlqCount = async () => (await server.jsm.streams.info(dlqStream)).state.messages;

  return {
    namespace,
    topology,
    bus,
    out,
    dlqStream,
    dlqCount,
    deps: (confirm = answering(false)) => ({ jsm: server.jsm, js: server.js, topology, out, confirm }),
    async deadLetter(...messages) {
      const before = (await server.jsm.streams.info(dlqStream)).state.last_seq;
      const durables = new Set(messages.map((m) => m.durable));
      const consumptions = [...durables].map((durable) =>
        bus.consume(durable, async () => {
          throw new PermanentError('bad');
        }),
      );
      try {
        for (const message of messages) await bus.publish(message.subject, message.data, message.options);
        await eventually('the messages to be dead-lettered', async () => {
          const { state } = await server.jsm.streams.info(dlqStream);
          return state.last_seq >= before + messages.length;
        });
      } finally {
        await Promise.all(consumptions.map((c) => c.stop(0)));
      }
      return Array.from({ length: messages.length }, (_, i) => before + i + 1);
    },
  };
}
