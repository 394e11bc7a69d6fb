import type { DeadLetter } from '@orderflow/platform';

/** Header keeping the id a replayed message was first published with. */
export const REPLAYED_MSG_ID_HEADER = 'Orderflow-Replayed-Msg-Id';
const MSG_ID = 'Nats-Msg-Id';

/** What to publish to put a dead letter back on its original subject. */
export interface Republication {
  /** Logical subject. */
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** De-duplication id. */
  readonly msgId: string;
}

/**
 * The dead letter stored at DLQ sequence `dlqSeq` as a message for its original subject.
 *
 * The original `Nats-Msg-Id` is usually still inside the target stream's duplicate
 * window, where the server would drop the message as a repeat. The replay gets its own id
 * instead, derived from the DLQ sequence: a replay that published but crashed before
 * deleting the dead letter publishes nothing new when run again. The original id moves to
 * a header, keeping the first one through repeated failures and replays.
 */
export function republication(letter: DeadLetter, dlqSeq: number): Republication {
  const { [MSG_ID]: originalMsgId, ...headers } = letter.headers;
  const firstMsgId = headers[REPLAYED_MSG_ID_HEADER] ?? originalMsgId;
  return {
    subject: letter.originalSubject,
    data: letter.data,
    headers: firstMsgId === undefined ? headers : { ...headers, [REPLAYED_MSG_ID_HEADER]: firstMsgId },
    msgId: `replay:${dlqSeq}`,
  };
}
