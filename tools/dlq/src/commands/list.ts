import { scanDeadLetters, type StoredDeadLetter } from '../dead-letters.js';
import { renderTable, truncate } from '../table.js';
import type { CommandDeps, ExitCode } from './deps.js';

export interface ListOptions {
  /** Original subject or wildcard; every dead letter when absent. */
  readonly subject?: string | undefined;
  /** At most this many, oldest first. */
  readonly limit: number;
  /** One JSON object per line instead of a table. */
  readonly json: boolean;
}

const REASON_MAX_CHARS = 60;

/** `orderflow dlq list`: one line per dead letter, oldest first. */
export async function listCommand(deps: CommandDeps, options: ListOptions): Promise<ExitCode> {
  const { out } = deps;
  const scan = await scanDeadLetters(deps, options.subject);
  const shown: StoredDeadLetter[] = [];
  for await (const stored of scan.letters()) {
    shown.push(stored);
    if (shown.length >= options.limit) break;
  }
  if (options.json) {
    for (const stored of shown) out.line(JSON.stringify(listEntry(stored)));
  } else if (shown.length === 0) {
    out.line(options.subject === undefined ? 'No dead letters.' : `No dead letters for ${options.subject}.`);
  } else {
    const rows = shown.map((stored) => {
      const entry = listEntry(stored);
      const cells = [entry.seq, entry.failed_at, entry.subject, entry.consumer, entry.deliveries];
      return [...cells.map(String), truncate(entry.reason, REASON_MAX_CHARS)];
    });
    for (const line of renderTable(['SEQ', 'FAILED AT', 'SUBJECT', 'CONSUMER', 'DELIVERIES', 'REASON'], rows)) {
      out.line(line);
    }
  }
  if (scan.total > shown.length) {
    out.note(`Showing ${shown.length} of ${scan.total} dead letters; raise --limit or narrow with --subject.`);
  }
  return 0;
}

/** The fields of one list line (and of `--json`), named as in the JSON output. */
function listEntry({ seq, storedAt, letter }: StoredDeadLetter) {
  return {
    seq,
    failed_at: letter.failedAt || storedAt.toISOString(),
    subject: letter.originalSubject,
    consumer: letter.consumer,
    deliveries: letter.deliveryCount,
    reason: letter.reason,
    msg_id: letter.headers['Nats-Msg-Id'] ?? null,
  };
}
