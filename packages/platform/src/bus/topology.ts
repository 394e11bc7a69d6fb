import type { BusSettings } from '../config.js';

/** A JetStream stream of SPEC §4, by its logical name. */
export interface StreamSpec {
  readonly name: string;
  /** Logical subjects (without namespace). */
  readonly subjects: readonly string[];
}

/** A durable pull consumer with exactly one filter subject (NATS 2.9 has no multi-filter). */
export interface ConsumerSpec {
  readonly durable: string;
  readonly stream: string;
  /** Logical filter subject (without namespace). */
  readonly filterSubject: string;
  /** Overrides of the bus-wide settings, e.g. a longer ack wait for slow work. */
  readonly ackWaitMs?: number;
  readonly maxDeliver?: number;
  readonly maxAckPending?: number;
}

/** Terminal order statuses: each has a subject and a notifier consumer. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'rejected', 'expired', 'cancelled'] as const;
/** Priority lanes of new orders, served high first. */
export const LANES = ['high', 'normal', 'low'] as const;

export const STREAMS: readonly StreamSpec[] = [
  { name: 'ORDERS', subjects: ['order.>'] },
  { name: 'PAYMENTS', subjects: ['payment.>'] },
  { name: 'DLQ', subjects: ['dlq.>'] },
];

export const CONSUMERS: readonly ConsumerSpec[] = [
  ...LANES.map((lane) => ({
    durable: `processor-${lane}`,
    stream: 'ORDERS',
    filterSubject: `order.created.${lane}`,
  })),
  { durable: 'processor-payments', stream: 'PAYMENTS', filterSubject: 'payment.event.>' },
  ...TERMINAL_STATUSES.map((status) => ({
    durable: `notifier-${status}`,
    stream: 'ORDERS',
    filterSubject: `order.${status}`,
  })),
];

/** Dead letters go to `dlq.<original subject>`. */
export const DLQ_PREFIX = 'dlq.';

/**
 * Streams and consumers resolved against one deployment's settings: the namespace
 * (if any) prefixes stream names and subjects, so tests and tenants can share a server.
 * Business code only ever sees logical subjects.
 */
export interface Topology {
  readonly settings: BusSettings;
  readonly streams: readonly StreamSpec[];
  readonly consumers: readonly ConsumerSpec[];
  /** Physical stream name of a logical stream. */
  streamName(logical: string): string;
  /** Physical subject of a logical subject. */
  subject(logical: string): string;
  /** Logical subject of a physical one. */
  logicalSubject(physical: string): string;
  /** The stream whose subjects capture a logical subject. */
  streamFor(logicalSubject: string): StreamSpec;
  consumer(durable: string): ConsumerSpec;
}

export function createTopology(
  settings: BusSettings,
  consumers: readonly ConsumerSpec[] = CONSUMERS,
  streams: readonly StreamSpec[] = STREAMS,
): Topology {
  const ns = settings.namespace;
  const subjectPrefix = ns ? `${ns}.` : '';
  const byDurable = new Map(consumers.map((c) => [c.durable, c]));
  return {
    settings,
    streams,
    consumers,
    streamName: (logical) => (ns ? `${ns}_${logical}` : logical),
    subject: (logical) => subjectPrefix + logical,
    logicalSubject: (physical) =>
      physical.startsWith(subjectPrefix) ? physical.slice(subjectPrefix.length) : physical,
    streamFor(logicalSubject) {
      const stream = streams.find((s) => s.subjects.some((pattern) => subjectMatches(pattern, logicalSubject)));
      if (!stream) throw new Error(`no stream captures subject "${logicalSubject}"`);
      return stream;
    },
    consumer(durable) {
      const spec = byDurable.get(durable);
      if (!spec) throw new Error(`unknown consumer "${durable}"`);
      return spec;
    },
  };
}

/** NATS subject matching: `*` matches one token, a final `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
