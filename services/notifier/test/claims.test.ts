import t from 'tap';
import type { Order } from '@orderflow/core';
import { createMemoryBus, createMongo, createTopology, runMigrations, type BusSettings } from '@orderflow/platform';
import { useTestServers } from '@orderflow/testkit';
import {
  createNotificationsRepository,
  NOTIFICATION_ATTEMPTS,
  NOTIFICATIONS,
} from '../src/data-access/notifications-repository.js';
import { newRecord, type NotificationRecord } from '../src/domain/notification-record.js';
import { createNotifyOrder } from '../src/domain/notify-order.js';
import type { TerminalEvent } from '../src/domain/terminal-event.js';
import { createOrder, moveTo, orderStoreOf, scriptedSender, silentLog } from './support.js';

const ACK_WAIT_MS = 30_000;

const servers = await useTestServers(t);
const mongo = createMongo({ url: servers.mongoUrl, db: servers.dbName, maxPoolSize: 10, timeoutMs: 5_000 }, 'test');
t.teardown(() => mongo.close());
await runMigrations(mongo.db, { log: silentLog });
const notifications = createNotificationsRepository(mongo.db);
await notifications.ensureCollections();
const settings: BusSettings = {
  kind: 'memory',
  namespace: undefined,
  replicas: 1,
  maxAgeMs: 60_000,
  duplicateWindowMs: 120_000,
  maxDeliver: 4,
  backoffMs: [50],
  ackWaitMs: ACK_WAIT_MS,
};
// Events go to an in-process bus nobody reads: these tests call the use case themselves.
const store = orderStoreOf({ mongo }, createMemoryBus(createTopology(settings), silentLog));
const records = mongo.db.collection<NotificationRecord>(NOTIFICATIONS);
const noSignal = new AbortController().signal;

/** A cancelled order and its terminal event, with nothing recorded yet. */
async function cancelledOrder(): Promise<{ order: Order; event: TerminalEvent }> {
  const created = await createOrder(store);
  const stored = await moveTo(store, created.id, 'cancelled');
  const order = (await store.load(created.id))!;
  const id = `${order.id}:${stored.seq}`;
  return {
    order,
    event: { id, type: 'order.cancelled', orderId: order.id, seq: stored.seq, status: 'cancelled', traceId: null },
  };
}

function useCase(sender = scriptedSender(0)) {
  const notify = createNotifyOrder({
    loadOrder: (id, seq) => store.loadAtLeast(id, seq),
    notifications,
    sender,
    ackWaitMs: ACK_WAIT_MS,
  });
  return { notify, sender };
}

async function seed(order: Order, event: TerminalEvent, fields: Partial<NotificationRecord>): Promise<void> {
  const base = newRecord({
    event,
    order,
    recipient: order.customer_id,
    channel: 'scripted',
    result: 'sending',
    now: new Date(),
  });
  await records.insertOne({ ...base, ...fields });
}

t.test('a sending record older than the ack wait is taken over as the next attempt', async (t) => {
  const { order, event } = await cancelledOrder();
  const crashedAt = new Date(Date.now() - 2 * ACK_WAIT_MS);
  await seed(order, event, { result: 'sending', attempts: 1, created_at: crashedAt, updated_at: crashedAt });
  const { notify, sender } = useCase();

  const outcome = await notify(event, noSignal);

  t.same(outcome, { outcome: 'sent', attempt: 2 });
  t.equal(sender.sent.length, 1);
  t.match(await records.findOne({ _id: event.id }), { result: 'sent', attempts: 2, sent_at: Date });
});

t.test('a fresh sending record is left to its owner and nothing is sent', async (t) => {
  const { order, event } = await cancelledOrder();
  await seed(order, event, { result: 'sending', attempts: 1 });
  const { notify, sender } = useCase();

  const outcome = await notify(event, noSignal);

  t.match(outcome, { outcome: 'busy' });
  t.equal(sender.calls, 0);
  t.match(await records.findOne({ _id: event.id }), { result: 'sending', attempts: 1 });
});

t.test('a sent record is not sent again', async (t) => {
  const { order, event } = await cancelledOrder();
  await seed(order, event, { result: 'sent', attempts: 1, sent_at: new Date() });
  const { notify, sender } = useCase();

  const outcome = await notify(event, noSignal);

  t.same(outcome, { outcome: 'duplicate', result: 'sent' });
  t.equal(sender.calls, 0);
});

t.test('two instances retrying a failed record at once send one mail', async (t) => {
  const { order, event } = await cancelledOrder();
  await seed(order, event, { result: 'failed', attempts: 1, error: 'timeout' });
  const sender = scriptedSender(0);
  const first = useCase(sender);
  const second = useCase(sender);

  const outcomes = await Promise.all([first.notify(event, noSignal), second.notify(event, noSignal)]);

  const sent = outcomes.filter((o) => o.outcome === 'sent');
  t.equal(sent.length, 1, `one instance sends (${JSON.stringify(outcomes)})`);
  t.ok(
    outcomes.every((o) => o.outcome === 'sent' || o.outcome === 'busy' || o.outcome === 'duplicate'),
    'the other waits or finds it done',
  );
  t.equal(sender.sent.length, 1, 'one mail');
  t.match(await records.findOne({ _id: event.id }), { result: 'sent', attempts: 2, error: 'timeout' });
});

t.test('an attempt claimed by an instance that died before recording it is skipped', async (t) => {
  const { order, event } = await cancelledOrder();
  await seed(order, event, { result: 'failed', attempts: 1, error: 'timeout' });
  await mongo.db
    .collection<{ _id: string; event_id: string; attempt: number; claimed_at: Date }>(NOTIFICATION_ATTEMPTS)
    .insertOne({
      _id: `${event.id}#2`,
      event_id: event.id,
      attempt: 2,
      claimed_at: new Date(Date.now() - 2 * ACK_WAIT_MS),
    });
  const { notify, sender } = useCase();

  const outcome = await notify(event, noSignal);

  t.same(outcome, { outcome: 'sent', attempt: 3 });
  t.equal(sender.sent.length, 1);
});

t.test('a customer the sender cannot address is recorded as failed and nothing is sent', async (t) => {
  const { event } = await cancelledOrder();
  const sender = { ...scriptedSender(0), name: 'smtp', recipientOf: () => undefined };
  const { notify } = useCase(sender);

  const outcome = await notify(event, noSignal);

  t.match(outcome, { outcome: 'unaddressable', reason: /no address for customer/ });
  t.match(await records.findOne({ _id: event.id }), {
    result: 'failed',
    recipient: null,
    channel: 'smtp',
    attempts: 1,
    error: /no address/,
  });
});

t.test('a retry through another sender records where the mail went this time', async (t) => {
  const { order, event } = await cancelledOrder();
  await seed(order, event, { result: 'failed', attempts: 1, channel: 'log', recipient: order.customer_id });
  const sender = { ...scriptedSender(0), name: 'smtp', recipientOf: () => 'ann@example.com' };
  const { notify } = useCase(sender);

  const outcome = await notify(event, noSignal);

  t.same(outcome, { outcome: 'sent', attempt: 2 });
  t.match(await records.findOne({ _id: event.id }), { result: 'sent', channel: 'smtp', recipient: 'ann@example.com' });
});

t.test('a mail that went out while the store fails is recorded once it answers, and not sent again', async (t) => {
  const { event } = await cancelledOrder();
  const sender = scriptedSender(0);
  let failures = 2;
  const flaky = {
    ...notifications,
    async markSent(...args: Parameters<typeof notifications.markSent>) {
      if (failures-- > 0) throw new Error('MongoDB unavailable while recording a notification');
      return notifications.markSent(...args);
    },
  };
  let keptAlive = 0;
  const notify = createNotifyOrder({
    loadOrder: (id, seq) => store.loadAtLeast(id, seq),
    notifications: flaky,
    sender,
    ackWaitMs: ACK_WAIT_MS,
  });

  const outcome = await notify(event, noSignal, () => keptAlive++);

  t.same(outcome, { outcome: 'sent', attempt: 1 });
  t.equal(sender.sent.length, 1, 'one mail');
  t.equal(keptAlive, 2, 'the message was kept in progress while retrying');
  t.match(await records.findOne({ _id: event.id }), { result: 'sent', attempts: 1 });
  t.same(await useCase(sender).notify(event, noSignal), { outcome: 'duplicate', result: 'sent' });
  t.equal(sender.sent.length, 1, 'a redelivery sends nothing');
});

t.test('shutdown gives up recording a mail whose store does not answer', async (t) => {
  const { event } = await cancelledOrder();
  const stopping = new AbortController();
  const failing = {
    ...notifications,
    async markSent() {
      stopping.abort();
      throw new Error('MongoDB unavailable while recording a notification');
    },
  };
  const notify = createNotifyOrder({
    loadOrder: (id, seq) => store.loadAtLeast(id, seq),
    notifications: failing,
    sender: scriptedSender(0),
    ackWaitMs: ACK_WAIT_MS,
  });
  await t.rejects(notify(event, stopping.signal), /unavailable/);
});
