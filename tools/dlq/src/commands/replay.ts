import { errorMessage } from '@orderflow/platform';
import { getDeadLetter, scanDeadLetters, type StoredDeadLetter } from '../dead-letters.js';
import { replayDeadLetter, type Replayed } from '../replay-letter.js';
import type { CommandDeps, ExitCode } from './deps.js';

/** Which dead letters to replay: the listed DLQ sequences, or all (of a subject). */
export type ReplayOptions =
  | { readonly kind: 'seqs'; readonly seqs: readonly number[] }
  | { readonly kind: 'all'; readonly subject?: string | undefined; readonly yes: boolean };

/**
 * `orderflow dlq replay`: puts dead letters back on their original subjects, each once.
 * A listed sequence no longer in DLQ is reported and the rest still replayed; the exit
 * code is 1 when anything asked for was not replayed.
 */
export async function replayCommand(deps: CommandDeps, options: ReplayOptions): Promise<ExitCode> {
  if (options.kind === 'seqs') return replayEach(deps, listed(deps, options.seqs));
  const { out } = deps;
  const scan = await scanDeadLetters(deps, options.subject);
  const matching = options.subject === undefined ? '' : ` for ${options.subject}`;
  if (scan.total === 0) {
    out.line(`No dead letters${matching} to replay.`);
    return 0;
  }
  if (!options.yes && !(await deps.confirm(`Replay ${plural(scan.total)}${matching}?`))) {
    out.note('Nothing replayed.');
    return 1;
  }
  return replayEach(deps, scan.letters());
}

async function replayEach(deps: CommandDeps, letters: AsyncIterable<StoredDeadLetter | number>): Promise<ExitCode> {
  const { out } = deps;
  let replayed = 0;
  let missed = 0;
  for await (const stored of letters) {
    if (typeof stored === 'number') {
      out.note(`${stored}: not in DLQ (already replayed, purged, or never there)`);
      missed++;
      continue;
    }
    try {
      out.line(describe(await replayDeadLetter(deps, stored)));
      replayed++;
    } catch (error) {
      out.note(`${stored.seq}: replay to ${stored.letter.originalSubject} failed: ${errorMessage(error)}`);
      missed++;
    }
  }
  out.note(`Replayed ${plural(replayed)}${missed > 0 ? `; ${missed} not replayed` : ''}.`);
  return missed > 0 ? 1 : 0;
}

/** The listed dead letters, or the sequence number of one that is gone. */
async function* listed(deps: CommandDeps, seqs: readonly number[]): AsyncGenerator<StoredDeadLetter | number> {
  for (const seq of new Set(seqs)) yield (await getDeadLetter(deps, seq)) ?? seq;
}

function describe(replayed: Replayed): string {
  const where = `${replayed.stream} seq ${replayed.streamSeq}`;
  const note = replayed.duplicate ? `, published by an earlier interrupted replay` : '';
  return `replayed ${replayed.seq} -> ${replayed.subject} (${where}${note})`;
}

function plural(count: number): string {
  return `${count} dead letter${count === 1 ? '' : 's'}`;
}
