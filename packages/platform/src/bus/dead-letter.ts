import type { DeadLetter } from './types.js';

/** Header names a dead letter carries besides the original message's headers. */
export const DLQ_HEADERS = {
  reason: 'Orderflow-Dlq-Reason',
  subject: 'Orderflow-Dlq-Subject',
  deliveries: 'Orderflow-Dlq-Deliveries',
  consumer: 'Orderflow-Dlq-Consumer',
  streamSequence: 'Orderflow-Dlq-Stream-Seq',
  failedAt: 'Orderflow-Dlq-Failed-At',
  originalMsgId: 'Orderflow-Dlq-Msg-Id',
} as const;

const MSG_ID = 'Nats-Msg-Id';
const MAX_REASON_CHARS = 1_000;

/** Headers and de-dup id of the `DLQ` copy of a failed message; the body stays as it was. */
export function deadLetterEnvelope(letter: Omit<DeadLetter, 'data'>): {
  headers: Record<string, string>;
  msgId: string;
} {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(letter.headers)) {
    if (key === MSG_ID) headers[DLQ_HEADERS.originalMsgId] = value;
    else headers[key] = value;
  }
  headers[DLQ_HEADERS.reason] = oneLine(letter.reason).slice(0, MAX_REASON_CHARS);
  headers[DLQ_HEADERS.subject] = letter.originalSubject;
  headers[DLQ_HEADERS.deliveries] = String(letter.deliveryCount);
  headers[DLQ_HEADERS.consumer] = letter.consumer;
  headers[DLQ_HEADERS.streamSequence] = String(letter.streamSequence);
  headers[DLQ_HEADERS.failedAt] = letter.failedAt;
  return { headers, msgId: `dlq:${letter.consumer}:${letter.streamSequence}` };
}

/** Reads a message stored in `DLQ` back into a DeadLetter (for inspection and replay). */
export function readDeadLetter(message: { data: Uint8Array; headers: Readonly<Record<string, string>> }): DeadLetter {
  const { headers: stored } = message;
  const headers: Record<string, string> = {};
  const dlqNames = new Set<string>(Object.values(DLQ_HEADERS));
  for (const [key, value] of Object.entries(stored)) {
    if (key === DLQ_HEADERS.originalMsgId) headers[MSG_ID] = value;
    else if (!dlqNames.has(key) && key !== MSG_ID) headers[key] = value;
  }
  return {
    originalSubject: stored[DLQ_HEADERS.subject] ?? '',
    data: message.data,
    headers,
    reason: stored[DLQ_HEADERS.reason] ?? '',
    deliveryCount: Number(stored[DLQ_HEADERS.deliveries] ?? 0),
    consumer: stored[DLQ_HEADERS.consumer] ?? '',
    streamSequence: Number(stored[DLQ_HEADERS.streamSequence] ?? 0),
    failedAt: stored[DLQ_HEADERS.failedAt] ?? '',
  };
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
