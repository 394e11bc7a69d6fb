export type { Announcement, Presence, PresenceAnnouncement, PresenceMember } from './types.js';
export { createMemoryPresence } from './memory-presence.js';
export {
  createJetStreamPresence,
  PRESENCE_BUCKET,
  PRESENCE_HEARTBEAT_MS,
  PRESENCE_TTL_MS,
  type JetStreamPresenceOptions,
} from './jetstream-presence.js';
