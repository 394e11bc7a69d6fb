import { UnavailableError } from '../errors.js';
import type { Announcement, Presence, PresenceAnnouncement } from './types.js';

/** A presence whose real implementation arrives later, once NATS is connected. */
export interface DeferredPresence extends Presence {
  /** Hands over the real presence: announcements made so far start on it. */
  bind(presence: Presence): void;
}

/**
 * The api listens before NATS is connected (it takes orders without NATS, SPEC §3), so
 * its presence exists before the bucket can: announcements wait for `bind`, and reads
 * fail with an UnavailableError until then.
 */
export function createDeferredPresence(): DeferredPresence {
  let bound: Presence | undefined;
  let closed = false;
  const waiting = new Map<Announcement, PresenceAnnouncement>();
  const started = new Map<Announcement, Announcement>();
  return {
    bind(presence) {
      // NATS connected after the process began to stop: announce nothing any more.
      if (closed) return;
      bound = presence;
      for (const [handle, announcement] of waiting) started.set(handle, presence.announce(announcement));
      waiting.clear();
    },
    announce(announcement) {
      if (bound) return bound.announce(announcement);
      const handle: Announcement = {
        async withdraw() {
          waiting.delete(handle);
          await started.get(handle)?.withdraw();
          started.delete(handle);
        },
      };
      waiting.set(handle, announcement);
      return handle;
    },
    list(kind) {
      if (!bound) return Promise.reject(new UnavailableError('NATS is not connected yet; presence unknown'));
      return bound.list(kind);
    },
    async close() {
      // What was started on the bound presence is withdrawn by its own close.
      closed = true;
      waiting.clear();
      started.clear();
      await bound?.close();
    },
  };
}
