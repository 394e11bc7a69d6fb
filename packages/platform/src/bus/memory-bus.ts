import type { Logger } from 'pino';
import type { Delivery, DeliverySource } from './consumer-loop.js';
import { createConsumptions } from './consumptions.js';
import { payloadReaders, toBytes } from './message.js';
import { tracedBus } from './traced-bus.js';
import { subjectMatches, type ConsumerSpec, type Topology } from './topology.js';
import type { Backlog, EventBus, PublishResult, WatchListener } from './types.js';

interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly msgId: string | undefined;
}

interface MemoryStream {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly messages: StoredMessage[];
  /** msgId → seq and when it was stored, for the duplicate window. */
  readonly recentIds: Map<string, { seq: number; atMs: number }>;
}

const MSG_ID = 'Nats-Msg-Id';
const DEFAULT_MAX_ACK_PENDING = 1_000;

/**
 * JetStream's semantics in process, for the all-in-one mode and unit tests: streams by
 * subject, de-duplication window, durable consumers with one filter subject that start
 * at the beginning of the stream, ack wait, `nak` with delay, `term`, and the same
 * consume loop (retries, dead letters) as the JetStream bus.
 */
export function createMemoryBus(topology: Topology, log?: Logger): EventBus {
  const { settings } = topology;
  const streams = topology.streams.map<MemoryStream>((s) => ({
    name: s.name,
    subjects: s.subjects,
    messages: [],
    recentIds: new Map(),
  }));
  const consumers = new Map(
    topology.consumers.map((spec) => [
      spec.durable,
      new MemoryConsumer(spec, streamNamed(spec.stream), spec.ackWaitMs ?? settings.ackWaitMs),
    ]),
  );
  const consumptions = createConsumptions(topology, publish, log);
  const watchers = new Set<{ readonly pattern: string; readonly listener: WatchListener }>();

  function streamNamed(name: string): MemoryStream {
    const stream = streams.find((s) => s.name === name);
    if (!stream) throw new Error(`unknown stream "${name}"`);
    return stream;
  }

  function consumerNamed(durable: string): MemoryConsumer {
    const consumer = consumers.get(durable);
    if (!consumer) throw new Error(`unknown consumer "${durable}"`);
    return consumer;
  }

  function publish(
    subject: string,
    data: Uint8Array | string,
    options: { msgId?: string; headers?: Readonly<Record<string, string>> } = {},
  ): Promise<PublishResult> {
    const spec = topology.streamFor(subject);
    const stream = streamNamed(spec.name);
    const nowMs = Date.now();
    for (const [id, entry] of stream.recentIds) {
      if (nowMs - entry.atMs < settings.duplicateWindowMs) break;
      stream.recentIds.delete(id);
    }
    if (options.msgId !== undefined) {
      const seen = stream.recentIds.get(options.msgId);
      if (seen) return Promise.resolve({ stream: stream.name, seq: seen.seq, duplicate: true });
    }
    const seq = stream.messages.length + 1;
    const headers = { ...options.headers, ...(options.msgId === undefined ? {} : { [MSG_ID]: options.msgId }) };
    stream.messages.push({ seq, subject, data: toBytes(data), headers, msgId: options.msgId });
    if (options.msgId !== undefined) stream.recentIds.set(options.msgId, { seq, atMs: nowMs });
    for (const consumer of consumers.values()) consumer.wake();
    for (const watcher of watchers) {
      if (subjectMatches(watcher.pattern, subject)) notify(watcher, subject, data, headers, log);
    }
    return Promise.resolve({ stream: stream.name, seq, duplicate: false });
  }

  return tracedBus({
    publish,
    consume(durable, handler, options = {}) {
      return consumptions.start(durable, consumerNamed(durable), handler, options);
    },
    backlog(durable) {
      return Promise.resolve(consumerNamed(durable).backlog());
    },
    watch(pattern, listener) {
      const watcher = { pattern, listener };
      watchers.add(watcher);
      // Delivery starts at once; the reset comes after the caller has its handle.
      queueMicrotask(() => {
        if (watchers.has(watcher)) listener.reset();
      });
      return {
        close: () => {
          watchers.delete(watcher);
          return Promise.resolve();
        },
      };
    },
    async close() {
      watchers.clear();
      await consumptions.stopAll();
      for (const consumer of consumers.values()) consumer.close();
    },
  });
}

/** A watcher's failure is its own: it never fails the publish that fed it. */
function notify(
  watcher: { readonly listener: WatchListener },
  subject: string,
  data: Uint8Array | string,
  headers: Readonly<Record<string, string>>,
  log: Logger | undefined,
): void {
  const bytes = toBytes(data);
  try {
    watcher.listener.message({ subject, data: bytes, headers, ...payloadReaders(bytes) });
  } catch (error) {
    log?.warn({ err: error, 'event.action': 'watch-listener-failed' }, `a watcher of ${subject} failed`);
  }
}

/** One durable consumer's delivery state. */
class MemoryConsumer implements DeliverySource {
  /** Index into the stream of the next message not yet delivered. */
  private cursor = 0;
  /** seq → deliveries so far and the ack-wait timer of an unsettled delivery. */
  private readonly unsettled = new Map<number, { deliveries: number; timer?: NodeJS.Timeout }>();
  /** seqs ready for redelivery (ack timeout or `nak` delay elapsed), in order. */
  private readonly ready: number[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly spec: ConsumerSpec,
    private readonly stream: MemoryStream,
    private readonly ackWaitMs: number,
  ) {}

  wake(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  backlog(): Backlog {
    let pending = this.ready.length;
    for (let i = this.cursor; i < this.stream.messages.length; i++) {
      if (this.matches(this.stream.messages[i])) pending++;
    }
    const ackPending = [...this.unsettled.values()].filter((u) => u.timer !== undefined).length;
    return { pending, ackPending };
  }

  close(): void {
    for (const entry of this.unsettled.values()) clearTimeout(entry.timer);
    this.wake();
  }

  async *deliveries(max: number, signal: AbortSignal): AsyncIterable<Delivery> {
    const maxAckPending = Math.max(max, this.spec.maxAckPending ?? DEFAULT_MAX_ACK_PENDING);
    while (!signal.aborted) {
      const message = this.inFlightCount() < maxAckPending ? this.next() : undefined;
      if (message) {
        yield this.deliver(message);
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          this.waiters.delete(done);
          resolve();
        };
        this.waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private matches(message: StoredMessage | undefined): message is StoredMessage {
    return message !== undefined && subjectMatches(this.spec.filterSubject, message.subject);
  }

  private inFlightCount(): number {
    let count = 0;
    for (const entry of this.unsettled.values()) if (entry.timer !== undefined) count++;
    return count;
  }

  private next(): StoredMessage | undefined {
    const redelivery = this.ready.shift();
    if (redelivery !== undefined) return this.stream.messages[redelivery - 1];
    while (this.cursor < this.stream.messages.length) {
      const message = this.stream.messages[this.cursor++];
      if (this.matches(message)) return message;
    }
    return undefined;
  }

  private deliver(message: StoredMessage): Delivery {
    const entry = this.unsettled.get(message.seq) ?? { deliveries: 0 };
    entry.deliveries++;
    this.unsettled.set(message.seq, entry);
    const armTimer = () => {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => this.redeliverAfter(message.seq, 0), this.ackWaitMs);
      entry.timer.unref();
    };
    armTimer();
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(entry.timer);
      entry.timer = undefined;
      action();
    };
    return {
      subject: message.subject,
      data: message.data,
      headers: message.headers,
      msgId: message.msgId,
      deliveryCount: entry.deliveries,
      streamSequence: message.seq,
      consumer: this.spec.durable,
      ...payloadReaders(message.data),
      working: () => {
        if (!settled) armTimer();
      },
      ack: () => {
        settle(() => this.unsettled.delete(message.seq));
        return Promise.resolve();
      },
      nak: (delayMs) => settle(() => this.redeliverAfter(message.seq, delayMs)),
      term: () => settle(() => this.unsettled.delete(message.seq)),
    };
  }

  private redeliverAfter(seq: number, delayMs: number): void {
    const entry = this.unsettled.get(seq);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    const makeReady = () => {
      if (!this.unsettled.has(seq)) return;
      this.ready.push(seq);
      this.ready.sort((a, b) => a - b);
      this.wake();
    };
    if (delayMs <= 0) makeReady();
    else setTimeout(makeReady, delayMs).unref();
  }
}
