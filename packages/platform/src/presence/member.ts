import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ServiceName } from '../config.js';
import type { PresenceAnnouncement, PresenceMember } from './types.js';

const KINDS: ReadonlySet<string> = new Set<ServiceName>(['api', 'processor', 'notifier', 'scheduler']);

/** The member an announcement makes: a fresh id, and where it runs for whoever debugs it. */
export function toMember(announcement: PresenceAnnouncement): PresenceMember {
  return {
    id: randomUUID(),
    kind: announcement.kind,
    threads: announcement.threads,
    startedAt: announcement.startedAt.toISOString(),
    host: hostname(),
    pid: process.pid,
  };
}

/**
 * A member read back from a shared store, or undefined when it is not one (another
 * version's entry, a hand-made key): such an entry is ignored rather than counted.
 */
export function parseMember(value: unknown): PresenceMember | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, kind, threads, startedAt, host, pid } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 0) return undefined;
  if (typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt))) return undefined;
  if (typeof host !== 'string' || typeof pid !== 'number') return undefined;
  return { id, kind: kind as ServiceName, threads, startedAt, host, pid };
}
