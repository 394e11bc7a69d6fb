import type { DlqAccess, StoredDeadLetter } from './dead-letters.js';
import { dlqStreamName } from './dlq-subjects.js';
import { toNatsHeaders } from './nats-headers.js';
import { republication } from './replay-message.js';

/** A dead letter put back on its original subject. */
export interface Replayed {
  /** DLQ sequence it had. */
  readonly seq: number;
  /** Logical subject it went back to. */
  readonly subject: string;
  /** Physical stream and sequence that now hold it. */
  readonly stream: string;
  readonly streamSeq: number;
  /** True when an earlier, interrupted replay had already published it. */
  readonly duplicate: boolean;
}

/**
 * Publishes the dead letter to its original subject and, once the target stream has
 * acknowledged it, deletes it from DLQ. Deleting last means a failure in between leaves
 * the dead letter in place, and the replay's de-dup id absorbs the repeat.
 */
export async function replayDeadLetter(access: DlqAccess, stored: StoredDeadLetter): Promise<Replayed> {
  const message = republication(stored.letter, stored.seq);
  const ack = await access.js.publish(access.topology.subject(message.subject), message.data, {
    msgID: message.msgId,
    headers: toNatsHeaders(message.headers),
  });
  const stream = dlqStreamName(access.topology);
  await access.jsm.streams.deleteMessage(stream, stored.seq).catch(async (error: unknown) => {
    // A concurrent replay (or purge) deleting it first is fine; the server's error codes
    // for that vary (not found, store EOF), so ask whether it is gone.
    if ((await access.jsm.streams.getMessage(stream, { seq: stored.seq })) !== null) throw error;
  });
  return {
    seq: stored.seq,
    subject: message.subject,
    stream: ack.stream,
    streamSeq: ack.seq,
    duplicate: ack.duplicate,
  };
}
