import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { readDeadLetter, type DeadLetter, type Topology } from '@orderflow/platform';
import { dlqStreamName, dlqSubjectFilter, originalSubjectOf } from './dlq-subjects.js';
import { headersRecord } from './nats-headers.js';

/** A dead letter as the DLQ stream holds it. */
export interface StoredDeadLetter {
  /** Sequence in the DLQ stream: what `show`, `replay` and `purge` refer to. */
  readonly seq: number;
  /** When the DLQ stored it. */
  readonly storedAt: Date;
  /** Physical subject in the DLQ stream. */
  readonly dlqSubject: string;
  /** Headers as stored, the Orderflow-Dlq-* ones among them. */
  readonly storedHeaders: Readonly<Record<string, string>>;
  /** The failed message: original subject, headers (with its Nats-Msg-Id), body, reason. */
  readonly letter: DeadLetter;
}

/** What reading the DLQ needs. */
export interface DlqAccess {
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly topology: Topology;
}

/** The dead letters matching a filter as the DLQ held them when the scan started. */
export interface DeadLetterScan {
  /** How many matched. */
  readonly total: number;
  /** DLQ sequence of the newest message then; later ones are not part of the scan. */
  readonly lastSeq: number;
  /** Reads them oldest first, skipping any deleted since; stopping early (break) releases the reader. */
  letters(): AsyncGenerator<StoredDeadLetter>;
}

/** Fetches are bounded by the remaining count; this only caps one request. */
const FETCH_BATCH = 256;
/** A fetch that outlives this found nothing more (messages deleted meanwhile). */
const FETCH_EXPIRES_MS = 2_000;

/** The dead letter at DLQ sequence `seq`, or undefined when there is none (replayed, purged, never existed). */
export async function getDeadLetter(access: DlqAccess, seq: number): Promise<StoredDeadLetter | undefined> {
  const stored = await access.jsm.streams.getMessage(dlqStreamName(access.topology), { seq });
  if (!stored) return undefined;
  const { subject, time, header, data } = stored;
  return toStoredDeadLetter(access.topology, { seq, subject, time, headers: header, data });
}

/**
 * Scans the DLQ, optionally only dead letters whose original subject matches
 * `originalSubject` (a subject or wildcard). Only letters stored before the scan began
 * are read: a replayed message that fails again must not be picked up by the same scan.
 */
export async function scanDeadLetters(access: DlqAccess, originalSubject?: string): Promise<DeadLetterScan> {
  const stream = dlqStreamName(access.topology);
  const filter = dlqSubjectFilter(access.topology, originalSubject);
  const { state } = await access.jsm.streams.info(
    stream,
    originalSubject === undefined ? {} : { subjects_filter: filter },
  );
  const total =
    originalSubject === undefined ? state.messages : Object.values(state.subjects ?? {}).reduce((a, b) => a + b, 0);
  const lastSeq = state.last_seq;
  return { total, lastSeq, letters: () => readLetters(access, { stream, filter, lastSeq, total }) };
}

/**
 * The server filters by subject through an ordered consumer, which also skips deleted
 * messages; reading sequence by sequence would fetch every message to filter it here.
 */
async function* readLetters(
  access: DlqAccess,
  { stream, filter, lastSeq, total }: { stream: string; filter: string; lastSeq: number; total: number },
): AsyncGenerator<StoredDeadLetter> {
  if (total === 0) return;
  const consumer = await access.js.consumers.get(stream, { filter_subjects: filter });
  try {
    let more = (await consumer.info(true)).num_pending > 0;
    while (more) {
      more = false;
      const batch = await consumer.fetch({ max_messages: FETCH_BATCH, expires: FETCH_EXPIRES_MS });
      for await (const message of batch) {
        if (message.seq > lastSeq) return;
        yield toStoredDeadLetter(access.topology, message);
        if (message.info.pending === 0 || message.seq === lastSeq) return;
        more = true;
      }
    }
  } finally {
    // Ordered consumers are ephemeral and expire anyway; deleting now keeps the server tidy.
    await consumer.delete().catch(() => undefined);
  }
}

function toStoredDeadLetter(
  topology: Topology,
  message: { seq: number; time: Date; subject: string; headers: MsgHdrs | undefined; data: Uint8Array },
): StoredDeadLetter {
  const storedHeaders = headersRecord(message.headers);
  const letter = readDeadLetter({ data: message.data, headers: storedHeaders });
  return {
    seq: message.seq,
    storedAt: message.time,
    dlqSubject: message.subject,
    storedHeaders,
    letter: {
      ...letter,
      // Written by every platform consumer; the DLQ subject still says it if a header went missing.
      originalSubject: letter.originalSubject || originalSubjectOf(topology, message.subject),
    },
  };
}
