import { scanDeadLetters } from '../dead-letters.js';
import { dlqStreamName, dlqSubjectFilter } from '../dlq-subjects.js';
import type { CommandDeps, ExitCode } from './deps.js';

export interface PurgeOptions {
  /** Original subject or wildcard; every dead letter when absent. */
  readonly subject?: string | undefined;
  /** Delete without asking. */
  readonly yes: boolean;
}

/**
 * `orderflow dlq purge`: deletes dead letters after confirmation. Only those counted in
 * the question are deleted: one arriving while the operator reads it is kept.
 */
export async function purgeCommand(deps: CommandDeps, options: PurgeOptions): Promise<ExitCode> {
  const { out, topology } = deps;
  const scan = await scanDeadLetters(deps, options.subject);
  const matching = options.subject === undefined ? '' : ` for ${options.subject}`;
  if (scan.total === 0) {
    out.line(`No dead letters${matching} to delete.`);
    return 0;
  }
  const noun = scan.total === 1 ? 'dead letter' : 'dead letters';
  if (!options.yes && !(await deps.confirm(`Delete ${scan.total} ${noun}${matching}?`))) {
    out.note('Nothing deleted.');
    return 1;
  }
  const { purged } = await deps.jsm.streams.purge(dlqStreamName(topology), {
    filter: dlqSubjectFilter(topology, options.subject),
    // Purges below this sequence: the newest one counted is the last to go.
    seq: scan.lastSeq + 1,
  });
  out.line(`Deleted ${purged} ${purged === 1 ? 'dead letter' : 'dead letters'}${matching}.`);
  return 0;
}
