import type { ServiceName } from '../config.js';

/**
 * Which service instances are alive now, across every process of a deployment: each
 * instance announces itself, and an instance that dies without withdrawing drops out
 * once its last heartbeat expires. `jetstream` (a NATS KV bucket with a TTL) and
 * `memory` (one process, the all-in-one mode) implement it.
 */
export interface Presence {
  /**
   * Lists `member` under its kind, refreshed by heartbeats, until the announcement is
   * withdrawn. A heartbeat that fails (NATS down) is retried at the next period.
   */
  announce(member: PresenceAnnouncement): Announcement;
  /** Live members of `kind`. Throws an UnavailableError while it cannot be read. */
  list(kind: ServiceName): Promise<PresenceMember[]>;
  /** Withdraws every announcement made through this presence and releases it. */
  close(): Promise<void>;
}

/** What an instance says about itself. */
export interface PresenceAnnouncement {
  readonly kind: ServiceName;
  /** Units of work it runs in parallel: a processor's validation pool threads. */
  readonly threads: number;
  /** When the instance started. */
  readonly startedAt: Date;
}

/** An announced instance as another process sees it. */
export interface PresenceMember {
  /** Unique per announcement. */
  readonly id: string;
  readonly kind: ServiceName;
  readonly threads: number;
  /** ISO-8601. */
  readonly startedAt: string;
  readonly host: string;
  readonly pid: number;
}

export interface Announcement {
  /** Stops the heartbeats and removes the member at once; idempotent. */
  withdraw(): Promise<void>;
}
