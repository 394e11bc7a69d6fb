import t, { type Test } from 'tap';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  decideCancel,
  decideExpire,
  decidePayment,
  decideValidation,
  foldOrder,
  type NewOrder,
  type ProviderEvent,
} from '@orderflow/core';
import { createOrderStore, ORDERS, type DecideResult } from '@orderflow/event-store';
import {
  connectNats,
  createJetStreamBus,
  createLogger,
  createMongo,
  createTopology,
  ensureTopology,
  runMigrations,
  type EventBus,
  type PublishOptions,
} from '@orderflow/platform';
import { uniqueName, useTestServers } from '@orderflow/testkit';

const log = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });
const servers = await useTestServers(t);
const mongo = createMongo({ url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 60, timeoutMs: 5_000 }, 'test');
t.teardown(() => mongo.close());
await runMigrations(mongo.db, { log });
const nats = await connectNats(
  { url: servers.natsUrl, user: undefined, password: undefined, token: undefined },
  { name: 'test', log, onFatal: () => undefined },
);
t.teardown(() => nats.drain());
const topology = createTopology(
  {
    kind: 'jetstream',
    namespace: uniqueName(servers.namespace),
    replicas: 1,
    maxAgeMs: 3_600_000,
    duplicateWindowMs: 120_000,
    maxDeliver: 4,
    backoffMs: [100],
    ackWaitMs: 30_000,
  },
  [],
);
const jsm = await jetstreamManager(nats.nc);
await ensureTopology(jsm, topology, log);
const realBus = createJetStreamBus(nats.nc, topology, log);

/** The real bus, counting publishes per message id. */
function countingBus(): { bus: EventBus; published: Map<string, number> } {
  const published = new Map<string, number>();
  const bus: EventBus = {
    ...realBus,
    async publish(subject: string, data: Uint8Array | string, options?: PublishOptions) {
      const id = options?.msgId ?? '';
      published.set(id, (published.get(id) ?? 0) + 1);
      return realBus.publish(subject, data, options);
    },
  };
  return { bus, published };
}

/** A store on a client of its own that reports its commands (`watched.client.on('commandStarted')`). */
function watchedStore(t: Test) {
  const watched = createMongo(
    { url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 8, timeoutMs: 5_000, monitorCommands: true },
    'test-watched',
  );
  t.teardown(() => watched.close());
  return { watched, store: createOrderStore({ db: watched.db, bus: realBus, log, source: 'test' }) };
}

function order(id: string, overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id,
    customer_id: 'c1',
    items: [{ sku: 'a', quantity: 1 }],
    total_minor: 1_000,
    currency: 'USD',
    priority: 2,
    lane: 'normal',
    created_by: 'c1',
    ...overrides,
  };
}

t.test('creating an order stores seq 1, its snapshot, and publishes it to its lane', async (t) => {
  const { bus, published } = countingBus();
  const store = createOrderStore({ db: mongo.db, bus, log, source: 'test' });
  const result = await store.create(order(uniqueName('o'), { lane: 'high', priority: 1 }), 'hash-1');
  t.equal(result.created, true);
  t.equal(result.order.status, 'pending');
  t.equal(result.order.version, 1);
  const id = result.order.id;
  t.same(await store.snapshot(id), result.order);
  // The publish and its mark finish after create returns; settled() waits for them.
  await store.settled();
  t.equal(published.get(`${id}:1`), 1);
  const stored = await mongo.db.collection('order_events').findOne({ _id: `${id}:1` as never });
  t.ok(stored?.published_at instanceof Date, 'published_at is set after the publish');
  const message = await jsm.streams.getMessage(topology.streamName('ORDERS'), {
    last_by_subj: topology.subject('order.created.high'),
  });
  t.match(message?.json(), { id: `${id}:1`, type: 'order.created', version: 1, order_id: id, source: 'test' });
});

t.test('create and decide return once stored, without waiting for the publish; settled() waits for it', async (t) => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const slow: EventBus = {
    ...realBus,
    async publish(subject: string, data: Uint8Array | string, options?: PublishOptions) {
      await held;
      return realBus.publish(subject, data, options);
    },
  };
  const store = createOrderStore({ db: mongo.db, bus: slow, log, source: 'test' });
  const id = uniqueName('o');
  await store.create(order(id), 'h');
  await store.decide(id, (o) => decideCancel(o, { reason: 'r', by: 'u' }));
  const events = mongo.db.collection('order_events');
  t.equal(await events.countDocuments({ order_id: id, published_at: null }), 2, 'both stored, neither published yet');
  t.match(await store.snapshot(id), { status: 'cancelled', version: 2 }, 'the snapshot is written before returning');
  let settled = false;
  const settling = store.settled().then(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(settled, false, 'settled() waits while a publish is held');
  release();
  await settling;
  t.equal(await events.countDocuments({ order_id: id, published_at: null }), 0, 'both published and marked');
});

t.test('creating the same id again returns the original and whether the payload matched', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  const id = uniqueName('o');
  await store.create(order(id), 'hash-a');
  const same = await store.create(order(id), 'hash-a');
  t.match(same, { created: false, samePayload: true, order: { id, version: 1 } });
  const different = await store.create(order(id, { total_minor: 2_000 }), 'hash-b');
  t.match(different, { created: false, samePayload: false, order: { total_minor: 1_000 } });
  t.equal(await mongo.db.collection('order_events').countDocuments({ order_id: id }), 1);
});

for (const batching of [true, false]) {
  t.test(
    `concurrent creations, repeats among them, each stored once (batching ${batching ? 'on' : 'off'})`,
    async (t) => {
      const { bus, published } = countingBus();
      const store = createOrderStore({ db: mongo.db, bus, log, source: 'test', batching });
      const ids = Array.from({ length: 40 }, () => uniqueName('o'));
      const repeated = ids.slice(0, 10);
      // The repeats arrive in the same turn as the originals: with batching, in one command.
      const results = await Promise.all([
        ...ids.map((id) => store.create(order(id), `hash-${id}`)),
        ...repeated.map((id, i) => store.create(order(id, { total_minor: 7 }), i % 2 === 0 ? `hash-${id}` : 'other')),
      ]);
      const byId = new Map<string, { created: number; repeats: boolean[] }>();
      for (const result of results) {
        const entry = byId.get(result.order.id) ?? { created: 0, repeats: [] };
        if (result.created) entry.created++;
        else entry.repeats.push(result.samePayload);
        byId.set(result.order.id, entry);
      }
      t.ok(
        ids.every((id) => byId.get(id)?.created === 1),
        'every id created exactly once',
      );
      t.same(
        repeated.map((id) => byId.get(id)?.repeats.length),
        repeated.map(() => 1),
        'each repeat answered with the stored order',
      );
      await store.settled();
      const events = mongo.db.collection('order_events');
      t.equal(await events.countDocuments({ order_id: { $in: ids } }), ids.length, 'one seq 1 per order');
      t.equal(await mongo.db.collection(ORDERS).countDocuments({ _id: { $in: ids } as never }), ids.length);
      t.equal(await events.countDocuments({ order_id: { $in: ids }, published_at: null }), 0, 'all marked published');
      t.ok(
        ids.every((id) => published.get(`${id}:1`) === 1),
        'each published once',
      );
    },
  );
}

t.test('a decision on an unknown order reports not_found', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  t.same(await store.decide('nobody', (o) => decideCancel(o, { reason: 'x', by: 'u' })), { outcome: 'not_found' });
});

t.test('50 concurrent writers in five processes racing different transitions: one outcome per decision', async (t) => {
  const { bus, published } = countingBus();
  // One store runs its own changes of an order in turn; stores of different processes race.
  const stores = Array.from({ length: 5 }, () => createOrderStore({ db: mongo.db, bus, log, source: 'test' }));
  const store = stores[0]!;
  const id = uniqueName('race');
  await store.create(order(id), 'h');
  const valid = { failures: [], handling: 'standard' as const, risk_score: 0.1 };
  const provider = (n: number): ProviderEvent => ({
    event_id: `evt-${n % 5}`,
    type: (['payment.created', 'payment.authorized', 'payment.captured'] as const)[n % 3]!,
    order_id: id,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, n % 5)).toISOString(),
  });
  const writers: (() => Promise<DecideResult>)[] = [];
  for (let i = 0; i < 50; i++) {
    const writer = stores[Math.floor(i / 10)]!;
    if (i % 5 === 0) writers.push(() => writer.decide(id, (o) => decideCancel(o, { reason: `cancel ${i}`, by: 'u' })));
    else if (i % 5 === 1) writers.push(() => writer.decide(id, (o) => decideExpire(o, Date.now() + 3_600_000, 60_000)));
    else if (i % 5 === 2) writers.push(() => writer.decide(id, (o) => decideValidation(o, valid)));
    else writers.push(() => writer.decide(id, (o) => decidePayment(o, provider(i), Date.now(), 2_000)));
  }
  const results = await Promise.all(writers.map((write) => write()));
  await Promise.all(stores.map((s) => s.settled()));

  const events = await store.events(id);
  t.same(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'seqs are consecutive',
  );
  const final = foldOrder(events)!;
  const terminal = events.filter((e) =>
    ['order.cancelled', 'order.expired', 'order.completed', 'order.failed', 'order.rejected'].includes(e.type),
  );
  t.equal(terminal.length, 1, 'exactly one terminal transition won');
  t.ok(events.filter((e) => e.type === 'order.processing').length <= 1, 'validation applied at most once');
  const providerIds = events
    .filter((e) => e.type === 'order.payment')
    .map((e) => (e.data as { event: ProviderEvent }).event.event_id);
  t.equal(new Set(providerIds).size, providerIds.length, 'each provider event recorded once');

  const appended = results.filter((r) => r.outcome === 'appended');
  t.equal(appended.length, events.length - 1, 'every append is one writer’s outcome');
  for (const result of appended) {
    const stored = events.find((e) => e.seq === result.event.seq);
    t.equal(stored?.type, result.event.type);
  }
  const refusedOrNoop = results.filter((r) => r.outcome !== 'appended');
  t.equal(refusedOrNoop.length + appended.length, 50);

  const snapshot = await store.snapshot(id);
  t.same(snapshot, final, 'the snapshot equals the fold of the events');
  await store.settled();
  for (const event of events) t.equal(published.get(`${id}:${event.seq}`) ?? 0, 1, `${event.seq} published once`);
  const unpublished = await mongo.db.collection('order_events').countDocuments({ order_id: id, published_at: null });
  t.equal(unpublished, 0);
});

t.test('a lagging snapshot never moves backwards and is repaired by the next write', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  const id = uniqueName('lag');
  await store.create(order(id), 'h');
  await store.decide(id, (o) => decideCancel(o, { reason: 'r', by: 'u' }));
  // A stale writer's older snapshot must not overwrite the newer one.
  const stale = foldOrder((await store.events(id)).slice(0, 1))!;
  await mongo.db
    .collection(ORDERS)
    .updateOne({ _id: id as never, version: { $lt: stale.version } }, { $set: { status: stale.status } });
  t.equal((await store.snapshot(id))?.status, 'cancelled');
});

t.test('a snapshot write that finds one as new already there stops at once', async (t) => {
  const { watched, store } = watchedStore(t);
  const id = uniqueName('current');
  await store.create(order(id), 'h');
  await store.decide(id, (o) => decideCancel(o, { reason: 'r', by: 'u' }));
  await store.settled();
  let updates = 0;
  watched.client.on('commandStarted', (event) => {
    if (event.commandName === 'update' && (event.command as { update: unknown }).update === ORDERS) updates++;
  });
  t.match(await store.repairSnapshot(id), { status: 'cancelled', version: 2 });
  t.ok(updates <= 2, `the up-to-date snapshot took ${updates} update commands (an upsert, then an update)`);
  t.match(await store.snapshot(id), { status: 'cancelled', version: 2 });
});

t.test('a decision on an out-of-date copy or snapshot is taken again on the whole truth', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  const id = uniqueName('stale');
  const created = await store.create(order(id), 'h');
  await store.decide(id, (o) => decideValidation(o, { failures: [], handling: 'standard', risk_score: 0.1 }));
  // The caller's copy is the pending order; the order is processing now: the append collides.
  const cancelled = await store.decide(id, (o) => decideCancel(o, { reason: 'r', by: 'u' }), { known: created.order });
  t.match(cancelled, { outcome: 'appended', order: { status: 'cancelled', version: 3 } });
  t.same(
    (await store.events(id)).map((e) => e.type),
    ['order.created', 'order.processing', 'order.cancelled'],
    'nothing decided on the stale copy was stored',
  );

  // A snapshot left behind (a crash between append and snapshot), read by a process that
  // has not seen the order: the store says terminal, not what the snapshot says.
  await mongo.db.collection(ORDERS).updateOne({ _id: id as never }, { $set: { status: 'pending', version: 1 } });
  const other = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  const again = await other.decide(id, (o) => decideCancel(o, { reason: 'r', by: 'u' }));
  t.match(again, { outcome: 'refused', order: { status: 'cancelled', version: 3 } });
});

t.test(
  'one store runs its changes of an order in turn, each deciding once on the state the last one left',
  async (t) => {
    const { watched, store } = watchedStore(t);
    const id = uniqueName('turns');
    await store.create(order(id), 'h');
    await store.decide(id, (o) => decideValidation(o, { failures: [], handling: 'standard', risk_score: 0.1 }));
    const reads: string[] = [];
    watched.client.on('commandStarted', (event) => {
      if (event.commandName === 'find') reads.push(String((event.command as { find: unknown }).find));
    });
    let decisions = 0;
    const types = ['payment.created', 'payment.authorized', 'payment.captured'] as const;
    const results = await Promise.all(
      types.map((type, n) =>
        store.decide(id, (o) => {
          decisions++;
          return decidePayment(
            o,
            {
              event_id: `evt-${n}`,
              type,
              order_id: id,
              created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
            },
            Date.now(),
            60_000,
          );
        }),
      ),
    );
    t.same(
      results.map((r) => r.outcome),
      ['appended', 'appended', 'appended'],
    );
    t.equal(decisions, 3, 'no change lost an append and decided again');
    t.notOk(reads.includes(ORDERS), 'no change read the snapshot: each started from the state the store kept');
    await store.settled();
    t.same(
      (await store.events(id)).map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
  },
);

t.test('anyVersion answers from what the store saw, else from the snapshot or the events', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  const id = uniqueName('any');
  await store.create(order(id, { customer_id: 'c-any' }), 'h');
  await mongo.db.collection(ORDERS).deleteOne({ _id: id as never });
  t.match(await store.anyVersion(id), { id, customer_id: 'c-any' }, 'kept since its creation');
  const other = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  t.match(await other.anyVersion(id), { id, version: 1 }, 'no snapshot: folded from the events');
  t.equal(await other.anyVersion(uniqueName('missing')), undefined);
  await store.settled();
});

t.test('the orders a store keeps are bounded: the oldest are read from the store again', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test', recentOrders: 2 });
  const ids = [uniqueName('bound'), uniqueName('bound'), uniqueName('bound')];
  for (const id of ids) await store.create(order(id), 'h');
  await mongo.db.collection(ORDERS).deleteOne({ _id: ids[0] as never });
  await mongo.db.collection('order_events').deleteOne({ _id: `${ids[0]}:1` as never });
  t.equal(await store.anyVersion(ids[0]!), undefined, 'the oldest was let go');
  t.match(await store.anyVersion(ids[2]!), { id: ids[2] });
  await store.settled();
});

t.test('loadAtLeast reads the snapshot alone when it is far enough, else folds the events after it', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  const id = uniqueName('atleast');
  await store.create(order(id), 'h');
  await store.decide(id, (o) => decideCancel(o, { reason: 'r', by: 'u' }));
  t.match(await store.loadAtLeast(id, 2), { status: 'cancelled', version: 2 });
  // A snapshot left at seq 1 (a crash between append and snapshot): seq 2 comes from the events.
  await mongo.db.collection(ORDERS).updateOne({ _id: id as never }, { $set: { status: 'pending', version: 1 } });
  t.match(await store.loadAtLeast(id, 1), { status: 'pending', version: 1 }, 'far enough for seq 1: the snapshot');
  t.match(await store.loadAtLeast(id, 2), { status: 'cancelled', version: 2, status_reason: 'r' });
  await mongo.db.collection(ORDERS).deleteOne({ _id: id as never });
  t.match(await store.loadAtLeast(id, 2), { status: 'cancelled', version: 2 }, 'no snapshot: all the events');
  t.equal(await store.loadAtLeast(uniqueName('missing'), 1), undefined);
});

t.test('events a failed publish left behind are published by the outbox sweep, in seq order', async (t) => {
  const failing: EventBus = { ...realBus, publish: () => Promise.reject(new Error('NATS down')) };
  const down = createOrderStore({ db: mongo.db, bus: failing, log, source: 'test' });
  const id = uniqueName('outbox');
  await down.create(order(id), 'h');
  await down.decide(id, (o) => decideCancel(o, { reason: 'r', by: 'u' }));
  await down.settled();
  t.equal(await mongo.db.collection('order_events').countDocuments({ order_id: id, published_at: null }), 2);

  const { bus, published } = countingBus();
  const up = createOrderStore({ db: mongo.db, bus, log, source: 'test' });
  const count = await up.publishUnpublished(0, 100);
  t.ok(count >= 2);
  t.same(
    [...published.keys()].filter((k) => k.startsWith(id)),
    [`${id}:1`, `${id}:2`],
  );
  t.equal(await mongo.db.collection('order_events').countDocuments({ order_id: id, published_at: null }), 0);
});

t.test('listing pages newest first with filters and an opaque cursor', async (t) => {
  const store = createOrderStore({ db: mongo.db, bus: realBus, log, source: 'test' });
  const customer = uniqueName('cust');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const id = `${customer}-${i}`;
    ids.push(id);
    await store.create(order(id, { customer_id: customer, lane: i % 2 === 0 ? 'high' : 'low' }), 'h');
  }
  const first = await store.list({ customerId: customer, limit: 2 });
  t.same(
    first.orders.map((o) => o.id),
    [ids[4], ids[3]],
  );
  t.ok(first.nextCursor);
  const second = await store.list({ customerId: customer, limit: 2, cursor: first.nextCursor! });
  t.same(
    second.orders.map((o) => o.id),
    [ids[2], ids[1]],
  );
  const third = await store.list({ customerId: customer, limit: 2, cursor: second.nextCursor! });
  t.same(
    third.orders.map((o) => o.id),
    [ids[0]],
  );
  t.equal(third.nextCursor, null);
  const high = await store.list({ customerId: customer, lane: 'high', limit: 10 });
  t.equal(high.orders.length, 3);
  t.notOk('history' in high.orders[0]!, 'list entries leave out the history');
  await t.rejects(store.list({ limit: 2, cursor: 'garbage' }), { code: 'ERR_INVALID_CURSOR' });
});
