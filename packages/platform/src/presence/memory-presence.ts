import { toMember } from './member.js';
import type { Announcement, Presence, PresenceMember } from './types.js';

/**
 * Presence inside one process (EVENT_BUS=memory, the all-in-one mode): services that
 * share this object see each other. Nothing expires, since a member cannot die
 * without the whole process, and every reader, going.
 */
export function createMemoryPresence(): Presence {
  const members = new Map<string, PresenceMember>();
  const own = new Set<Announcement>();
  return {
    announce(announcement) {
      const member = toMember(announcement);
      members.set(member.id, member);
      const handle: Announcement = {
        withdraw() {
          members.delete(member.id);
          own.delete(handle);
          return Promise.resolve();
        },
      };
      own.add(handle);
      return handle;
    },
    list(kind) {
      return Promise.resolve([...members.values()].filter((member) => member.kind === kind));
    },
    async close() {
      await Promise.all([...own].map((announcement) => announcement.withdraw()));
    },
  };
}
