import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { errorMessage, UnavailableError } from '../errors.js';
import type { Topology } from '../bus/topology.js';
import { parseMember, toMember } from './member.js';
import type { Announcement, Presence, PresenceMember } from './types.js';

/** How often a member says it is alive. */
export const PRESENCE_HEARTBEAT_MS = 5_000;
/** A member whose heartbeats stopped (a crash, a partition) drops out after three missed. */
export const PRESENCE_TTL_MS = 3 * PRESENCE_HEARTBEAT_MS;
/** Logical bucket name: namespaced like the streams, so deployments sharing NATS stay apart. */
export const PRESENCE_BUCKET = 'PRESENCE';

export interface JetStreamPresenceOptions {
  readonly log?: Logger;
  readonly heartbeatMs?: number;
  /** The bucket's max age, set when the bucket is created (an existing bucket keeps its own). */
  readonly ttlMs?: number;
  /** False while NATS is disconnected: reads fail at once instead of waiting out a timeout. */
  readonly isConnected?: () => boolean;
}

/**
 * Presence on a NATS KV bucket (`<namespace>_PRESENCE`) whose max age is the TTL: each
 * heartbeat rewrites the member's key `<kind>.<id>`, so a key lives for one TTL after
 * its last heartbeat. Uses only NATS 2.9 features (a stream max age, no per-message TTL).
 */
export function createJetStreamPresence(
  nc: NatsConnection,
  topology: Topology,
  options: JetStreamPresenceOptions = {},
): Presence {
  const heartbeatMs = options.heartbeatMs ?? PRESENCE_HEARTBEAT_MS;
  const ttlMs = options.ttlMs ?? PRESENCE_TTL_MS;
  const isConnected = options.isConnected ?? (() => !nc.isClosed());
  const bucket = topology.streamName(PRESENCE_BUCKET);
  const own = new Set<Announcement>();
  let opened: Promise<{ kv: KV; jsm: JetStreamManager }> | undefined;

  function open(): Promise<{ kv: KV; jsm: JetStreamManager }> {
    if (!isConnected()) return Promise.reject(new UnavailableError('NATS is not connected; presence unknown'));
    opened ??= Promise.all([
      new Kvm(nc).create(bucket, { history: 1, ttl: ttlMs, replicas: topology.settings.replicas }),
      jetstreamManager(nc),
    ])
      .then(([kv, jsm]) => ({ kv, jsm }))
      .catch((error: unknown) => {
        forget();
        throw new UnavailableError(`presence bucket ${bucket} cannot be opened: ${errorMessage(error)}`, {
          cause: error,
        });
      });
    return opened;
  }

  /** After a failure: the bucket may be gone (a NATS restarted without its data), so open, and create, anew. */
  function forget(): void {
    opened = undefined;
  }

  return {
    announce(announcement) {
      const member = toMember(announcement);
      const key = `${member.kind}.${member.id}`;
      const value = JSON.stringify(member);
      let withdrawn = false;
      let failing = false;
      let beating: Promise<void> = Promise.resolve();
      const beat = async () => {
        try {
          const { kv } = await open();
          if (withdrawn) return;
          await kv.put(key, value);
          if (failing) {
            options.log?.info({ 'event.action': 'presence-restored' }, `presence heartbeat of ${key} restored`);
          }
          failing = false;
        } catch (error) {
          forget();
          // Once per outage: the entry expires meanwhile and the next heartbeat brings it back.
          if (!failing) {
            options.log?.warn(
              { err: error, 'event.action': 'presence-heartbeat-failed' },
              `presence heartbeat of ${key} failed; retrying every ${heartbeatMs} ms`,
            );
          }
          failing = true;
        }
      };
      beating = beat();
      const timer = setInterval(() => {
        beating = beating.then(beat);
      }, heartbeatMs);
      timer.unref();
      const handle: Announcement = {
        async withdraw() {
          if (withdrawn) return;
          withdrawn = true;
          own.delete(handle);
          clearInterval(timer);
          // A heartbeat in flight would otherwise land after the delete and revive the key.
          await beating;
          try {
            await (await open()).kv.delete(key);
          } catch (error) {
            options.log?.warn(
              { err: error, 'event.action': 'presence-withdraw-failed' },
              `removing ${key} failed; it expires in ${ttlMs} ms`,
            );
          }
        },
      };
      own.add(handle);
      return handle;
    },

    async list(kind) {
      const { kv, jsm } = await open();
      try {
        // The stream's subject counts, not `kv.keys()`: that one waits for an idle
        // heartbeat (5 s) whenever a key expires between its count and its delivery.
        const prefix = `$KV.${bucket}.`;
        const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}${kind}.*` });
        const keys = Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
        const entries = await Promise.all(keys.map((key) => kv.get(key)));
        const members: PresenceMember[] = [];
        for (const entry of entries) {
          // A key listed a moment ago may have expired or been withdrawn since.
          if (entry?.operation !== 'PUT') continue;
          const member = parseMember(jsonOf(entry.string()));
          if (member?.kind === kind) members.push(member);
        }
        return members;
      } catch (error) {
        forget();
        throw new UnavailableError(`presence of ${kind} cannot be read: ${errorMessage(error)}`, { cause: error });
      }
    },

    async close() {
      await Promise.all([...own].map((announcement) => announcement.withdraw()));
    },
  };
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
