import { DLQ_PREFIX, type Topology } from '@orderflow/platform';
import { UsageError } from './errors.js';

/** Physical name of the dead-letter stream in this deployment. */
export function dlqStreamName(topology: Topology): string {
  return topology.streamName(topology.streamFor(`${DLQ_PREFIX}>`).name);
}

/**
 * The physical DLQ subject filter for an original subject or wildcard (`order.created.*`,
 * `payment.>`); every dead letter without one. Throws a UsageError for a malformed pattern
 * so a typo is reported instead of matching nothing.
 */
export function dlqSubjectFilter(topology: Topology, originalSubject?: string): string {
  if (originalSubject === undefined) return topology.subject(`${DLQ_PREFIX}>`);
  assertSubjectPattern(originalSubject);
  return topology.subject(DLQ_PREFIX + originalSubject);
}

/** The original logical subject of a dead letter stored under the physical `subject`. */
export function originalSubjectOf(topology: Topology, dlqSubject: string): string {
  const logical = topology.logicalSubject(dlqSubject);
  return logical.startsWith(DLQ_PREFIX) ? logical.slice(DLQ_PREFIX.length) : logical;
}

function assertSubjectPattern(pattern: string): void {
  const tokens = pattern.split('.');
  const valid = tokens.every(
    (token, i) => token !== '' && !/\s/.test(token) && (token !== '>' || i === tokens.length - 1),
  );
  if (!valid) {
    throw new UsageError(
      `--subject "${pattern}" is not a subject pattern: expected dot-separated tokens, ` +
        'with "*" for one token and a final ">" for the rest (e.g. order.created.*)',
    );
  }
}
