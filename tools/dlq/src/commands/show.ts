import { describeBody, hexDump } from '../body-format.js';
import { getDeadLetter, type StoredDeadLetter } from '../dead-letters.js';
import { dlqStreamName } from '../dlq-subjects.js';
import type { CommandDeps, ExitCode } from './deps.js';

export interface ShowOptions {
  /** DLQ stream sequence. */
  readonly seq: number;
  readonly json: boolean;
}

/** `orderflow dlq show <seq>`: everything about one dead letter. */
export async function showCommand(deps: CommandDeps, options: ShowOptions): Promise<ExitCode> {
  const { out } = deps;
  const stored = await getDeadLetter(deps, options.seq);
  if (!stored) {
    out.note(`No dead letter ${options.seq} in ${dlqStreamName(deps.topology)} (replayed, purged or never there).`);
    return 1;
  }
  const lines = options.json ? [JSON.stringify(showEntry(stored), null, 2)] : describe(stored);
  for (const line of lines) out.line(line);
  return 0;
}

function describe(stored: StoredDeadLetter): string[] {
  const { letter } = stored;
  const facts: [string, string][] = [
    ['subject', letter.originalSubject],
    ['consumer', letter.consumer],
    ['deliveries', String(letter.deliveryCount)],
    ['stream seq', String(letter.streamSequence)],
    ['failed at', letter.failedAt],
    ['msg id', letter.headers['Nats-Msg-Id'] ?? '(none)'],
    ['reason', letter.reason],
  ];
  const keyWidth = Math.max(...facts.map(([name]) => name.length));
  const headers = Object.entries(stored.storedHeaders).map(([key, value]) => `  ${key}: ${value}`);
  return [
    `Dead letter ${stored.seq} (${stored.dlqSubject}, stored ${stored.storedAt.toISOString()})`,
    ...facts.map(([name, value]) => `  ${name.padEnd(keyWidth)}  ${value}`),
    '',
    'Headers (as stored):',
    ...(headers.length > 0 ? headers : ['  (none)']),
    '',
    ...bodyLines(letter.data),
  ];
}

function bodyLines(data: Uint8Array): string[] {
  const body = describeBody(data);
  const size = `${data.length} bytes`;
  switch (body.kind) {
    case 'json':
      return [`Body (JSON, ${size}):`, ...JSON.stringify(body.value, null, 2).split('\n')];
    case 'text':
      return [`Body (text, ${size}):`, ...body.text.split('\n')];
    case 'binary':
      return [`Body (binary, ${size}):`, ...hexDump(body.bytes)];
  }
}

/** `show --json`: the dead letter's fields, stored headers and body in its readable form. */
function showEntry(stored: StoredDeadLetter) {
  const { letter } = stored;
  const body = describeBody(letter.data);
  return {
    seq: stored.seq,
    stored_at: stored.storedAt.toISOString(),
    dlq_subject: stored.dlqSubject,
    subject: letter.originalSubject,
    consumer: letter.consumer,
    deliveries: letter.deliveryCount,
    stream_seq: letter.streamSequence,
    failed_at: letter.failedAt,
    msg_id: letter.headers['Nats-Msg-Id'] ?? null,
    reason: letter.reason,
    headers: stored.storedHeaders,
    body_bytes: letter.data.length,
    body:
      body.kind === 'json'
        ? { encoding: 'json', value: body.value }
        : body.kind === 'text'
          ? { encoding: 'utf-8', text: body.text }
          : { encoding: 'base64', data: Buffer.from(body.bytes).toString('base64') },
  };
}
