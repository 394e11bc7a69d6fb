import t, { type Test } from 'tap';
import { Kvm } from '@nats-io/kv';
import {
  connectNats,
  createJetStreamPresence,
  createTopology,
  UnavailableError,
  type JetStreamPresenceOptions,
  type Topology,
} from '@orderflow/platform';
import { uniqueName } from '@orderflow/testkit';
import { eventually } from './support/eventually.js';
import { presenceContract } from './support/presence-contract.js';
import { CONTRACT_SETTINGS } from './support/bus-contract.js';
import { connectTestServers, silentLog } from './support/servers.js';

const { servers, nats, jsm } = await connectTestServers(t);

function freshTopology(): Topology {
  return createTopology({ ...CONTRACT_SETTINGS, kind: 'jetstream', namespace: uniqueName(servers.namespace) });
}

/** Another process: its own connection to the same server. */
async function otherProcess(t: Test) {
  const handle = await connectNats(
    { url: servers.natsUrl, user: undefined, password: undefined, token: undefined },
    { name: 'presence-peer', log: silentLog, onFatal: () => undefined },
  );
  t.teardown(() => handle.drain());
  return handle;
}

presenceContract(t, async () => {
  const topology = freshTopology();
  const first = createJetStreamPresence(nats.nc, topology, { log: silentLog });
  const second = createJetStreamPresence(nats.nc, topology, { log: silentLog });
  return {
    first,
    second,
    async close() {
      await Promise.all([first.close(), second.close()]);
      await jsm.streams.delete(`KV_${topology.streamName('PRESENCE')}`).catch(() => undefined);
    },
  };
});

/** Short periods, so an expiry happens within a test. */
const QUICK: JetStreamPresenceOptions = { log: silentLog, heartbeatMs: 200, ttlMs: 1_000 };

/** A presence on a fresh bucket with one member of `kind` announced and listed. */
async function withOneMember(t: Test, kind: 'api' | 'processor', options: JetStreamPresenceOptions = QUICK) {
  const topology = freshTopology();
  const presence = createJetStreamPresence(nats.nc, topology, options);
  t.teardown(() => presence.close());
  presence.announce({ kind, threads: 2, startedAt: new Date() });
  await eventually('listed', async () => (await presence.list(kind)).length === 1);
  return { topology, presence };
}

t.test('the bucket is namespaced like the streams and its max age is the TTL', async (t) => {
  const { topology } = await withOneMember(t, 'api');
  const info = await jsm.streams.info(`KV_${topology.settings.namespace}_PRESENCE`);
  t.equal(info.config.max_age, 1_000 * 1e6, 'max age in nanoseconds');
  t.equal(info.config.max_msgs_per_subject, 1, 'only the latest heartbeat is kept');
});

t.test('a member whose process dies without withdrawing drops out once its TTL passes', async (t) => {
  const topology = freshTopology();
  const reader = createJetStreamPresence(nats.nc, topology, QUICK);
  t.teardown(() => reader.close());
  const doomed = await otherProcess(t);
  createJetStreamPresence(doomed.nc, topology, QUICK).announce({
    kind: 'processor',
    threads: 4,
    startedAt: new Date(),
  });
  const survivor = reader.announce({ kind: 'processor', threads: 1, startedAt: new Date() });
  t.teardown(() => survivor.withdraw());
  await eventually('both listed', async () => (await reader.list('processor')).length === 2);

  // Its heartbeats stop with its connection, as when the process is killed.
  await doomed.nc.close();
  const left = await eventually('the dead member expired', async () => {
    const listed = await reader.list('processor');
    return listed.length === 1 && listed;
  });
  t.equal(left[0]!.threads, 1, 'the live member, kept by its heartbeats, is still there');
});

t.test('heartbeats keep a live member listed for longer than the TTL', async (t) => {
  const ttlMs = 2_000;
  const announcedMs = Date.now();
  const { presence } = await withOneMember(t, 'processor', { ...QUICK, ttlMs });
  const missing: number[] = [];
  let reads = 0;
  await eventually(
    'three TTLs to pass',
    async () => {
      const listed = await presence.list('processor');
      reads++;
      if (listed.length !== 1) missing.push(Date.now() - announcedMs);
      return Date.now() - announcedMs > 3 * ttlMs;
    },
    60_000,
    100,
  );
  t.same(missing, [], `listed on each of ${reads} reads`);
});

t.test("closing one process's presence leaves the members of another", async (t) => {
  const topology = freshTopology();
  const mine = createJetStreamPresence(nats.nc, topology, QUICK);
  const peer = await otherProcess(t);
  const theirs = createJetStreamPresence(peer.nc, topology, QUICK);
  t.teardown(() => theirs.close());
  mine.announce({ kind: 'processor', threads: 2, startedAt: new Date() });
  theirs.announce({ kind: 'processor', threads: 7, startedAt: new Date() });
  await eventually('two listed', async () => (await theirs.list('processor')).length === 2);
  await mine.close();
  t.same(
    (await theirs.list('processor')).map((member) => member.threads),
    [7],
  );
});

t.test('while NATS is disconnected reads fail as unavailable, and heartbeats resume once it is back', async (t) => {
  const topology = freshTopology();
  let connected = false;
  const presence = createJetStreamPresence(nats.nc, topology, { ...QUICK, isConnected: () => connected });
  t.teardown(() => presence.close());
  presence.announce({ kind: 'processor', threads: 3, startedAt: new Date() });
  await t.rejects(presence.list('processor'), UnavailableError);
  connected = true;
  const listed = await eventually('announced at a later heartbeat', async () => {
    const members = await presence.list('processor');
    return members.length === 1 && members;
  });
  t.equal(listed[0]!.threads, 3);
});

t.test('entries that are not members (another version, a key set by hand) are ignored', async (t) => {
  const { topology, presence } = await withOneMember(t, 'processor');
  const kv = await new Kvm(nats.nc).open(topology.streamName('PRESENCE'));
  await kv.put('processor.by-hand', 'not json');
  await kv.put('processor.old-shape', JSON.stringify({ id: 'x', kind: 'processor', workers: 4 }));
  t.same(
    (await presence.list('processor')).map((member) => member.threads),
    [2],
  );
});

t.test('a bucket lost with its data (NATS restarted without it) is created again by the next heartbeat', async (t) => {
  const { topology, presence } = await withOneMember(t, 'processor');
  await jsm.streams.delete(`KV_${topology.streamName('PRESENCE')}`);
  const listed = await eventually('the member back', async () => {
    const members = await presence.list('processor').catch(() => []);
    return members.length === 1 && members;
  });
  t.equal(listed[0]!.threads, 2);
});
