import { parseEventId, type TerminalStatus } from '@orderflow/core';
import { PermanentError, type BusMessage } from '@orderflow/platform';
import { traceIdOf } from '../domain/trace-context.js';
import type { TerminalEvent } from '../domain/terminal-event.js';

interface Envelope {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly version?: unknown;
  readonly order_id?: unknown;
}

/**
 * The terminal event a message of `order.<status>` carries (SPEC §4 envelope). Anything
 * else — not JSON, another type, an id that does not match the order — can never be
 * handled and is a PermanentError, so it is dead-lettered at once.
 */
export function terminalEventOf(message: BusMessage, status: TerminalStatus): TerminalEvent {
  const envelope = message.json() as Envelope | null;
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw malformed('the payload is not an object');
  }
  const parsed = typeof envelope.id === 'string' ? parseEventId(envelope.id) : undefined;
  if (!parsed) throw malformed('"id" is not an event id (<order_id>:<seq>)');
  if (envelope.order_id !== parsed.orderId) throw malformed('"order_id" does not match "id"');
  if (envelope.version !== 1) throw malformed('"version" is not 1');
  const type = `order.${status}` as const;
  if (envelope.type !== type) throw malformed(`"type" is not ${type}`);
  return {
    id: envelope.id as string,
    type,
    orderId: parsed.orderId,
    seq: parsed.seq,
    status,
    traceId: traceIdOf(message.headers),
  };
}

function malformed(why: string): PermanentError {
  return new PermanentError(`not a terminal order event: ${why}`, { code: 'ERR_SCHEMA' });
}
