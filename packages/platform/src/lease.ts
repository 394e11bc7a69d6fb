import type { Db } from 'mongodb';

/**
 * A leader lease that needs nothing from the server but atomic inserts with a unique
 * `_id` (SPEC §8): time is cut into terms of `termMs`, and whoever inserts
 * `<name>:<term>` first leads that term. The holder claims the next term during the last
 * third of its own, while others only try once a term has begun, so leadership sticks
 * with a live holder and passes to another replica at the first term a crashed holder did
 * not claim. Replicas' clocks must agree to well within a term (NTP).
 */
export interface Lease {
  /** Claims the current term if free (and the next one when due); true while held. */
  tryAcquire(): Promise<boolean>;
  /** True when the current term is held with time to spare, or the next one is held too. */
  isHeld(): boolean;
  /** Gives up the current and later terms, so another replica can take over at once. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  readonly name: string;
  /** Unique per process, e.g. `<hostname>:<pid>:<random>`. */
  readonly owner: string;
  readonly termMs: number;
  /** Injected clock for tests. */
  readonly now?: () => number;
}

interface LeaseDocument {
  _id: string;
  name: string;
  term: number;
  owner: string;
  acquired_at: Date;
  expires_at: Date;
}

const DUPLICATE_KEY = 11_000;
/** Terms older than this many are deleted by the holder. */
const KEEP_TERMS = 3;

export const LEASES_COLLECTION = 'leases';

export function createLease(db: Db, options: LeaseOptions): Lease {
  const { name, owner, termMs } = options;
  const now = options.now ?? Date.now;
  const leases = db.collection<LeaseDocument>(LEASES_COLLECTION);
  const held = new Set<number>();
  const termAt = (ms: number) => Math.floor(ms / termMs);

  async function claim(term: number): Promise<boolean> {
    if (held.has(term)) return true;
    try {
      await leases.insertOne({
        _id: `${name}:${term}`,
        name,
        term,
        owner,
        acquired_at: new Date(now()),
        expires_at: new Date((term + 1) * termMs),
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
      const existing = await leases.findOne({ _id: `${name}:${term}` });
      if (existing?.owner !== owner) return false;
    }
    held.add(term);
    return true;
  }

  async function forget(current: number): Promise<void> {
    for (const term of held) if (term < current) held.delete(term);
    await leases.deleteMany({ name, term: { $lt: current - KEEP_TERMS } });
  }

  return {
    async tryAcquire() {
      const nowMs = now();
      const term = termAt(nowMs);
      const wasHeld = held.has(term);
      if (!(await claim(term))) return false;
      if (!wasHeld) await forget(term);
      const intoTermMs = nowMs - term * termMs;
      if (intoTermMs >= (termMs * 2) / 3) await claim(term + 1);
      return true;
    },
    isHeld() {
      const nowMs = now();
      const term = termAt(nowMs);
      if (!held.has(term)) return false;
      const leftMs = (term + 1) * termMs - nowMs;
      return leftMs > termMs / 10 || held.has(term + 1);
    },
    async release() {
      const term = termAt(now());
      held.clear();
      await leases.deleteMany({ name, owner, term: { $gte: term } });
    },
  };
}
