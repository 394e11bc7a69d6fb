import t from 'tap';
import { useTestServers } from '@orderflow/testkit';
import {
  createOrder,
  eventually,
  moveTo,
  newDeployment,
  orderStoreOf,
  recordsOf,
  scriptedSender,
  settled,
  startTestNotifier,
  watchDeadLetters,
} from './support.js';

const servers = await useTestServers(t);

t.test('a sender that fails twice then succeeds ends sent after 3 attempts, keeping the last error', async (t) => {
  const sender = scriptedSender(2);
  const notifier = await startTestNotifier(t, newDeployment(servers), { emailSender: sender });
  const store = orderStoreOf(notifier, notifier.bus);
  const order = await createOrder(store);

  await moveTo(store, order.id, 'completed');
  const [record] = await eventually('the sent record', async () => {
    const records = await recordsOf(notifier, order.id);
    return records[0]?.result === 'sent' && records;
  });
  await settled(notifier.bus, 'notifier-completed');

  t.match(record, {
    result: 'sent',
    channel: 'scripted',
    attempts: 3,
    error: 'SMTP 451 temporary failure (call 2)',
  });
  t.ok(record?.sent_at instanceof Date, 'sent_at is set');
  t.equal(sender.calls, 3, 'three sends');
  t.equal(sender.sent.length, 1, 'one mail delivered');
  t.match(sender.sent[0], { orderId: order.id, to: order.customer_id, status: 'completed' });
});

t.test('a sender that always fails leaves a failed record and dead-letters on the last delivery', async (t) => {
  const deployment = newDeployment(servers);
  const letters = await watchDeadLetters(t, deployment);
  const sender = scriptedSender(Number.POSITIVE_INFINITY, 'connection refused');
  const notifier = await startTestNotifier(t, deployment, {
    emailSender: sender,
    env: { RETRY_MAX_DELIVER: '3' },
  });
  const store = orderStoreOf(notifier, notifier.bus);
  const order = await createOrder(store);

  const event = await moveTo(store, order.id, 'cancelled');
  await eventually('the dead letter', () => letters.length === 1);
  await settled(notifier.bus, 'notifier-cancelled');

  const letter = letters[0]!;
  t.equal(letter.originalSubject, 'order.cancelled');
  t.equal(letter.deliveryCount, 3);
  t.equal(letter.consumer, 'notifier-cancelled');
  t.match(letter.reason, /failed on attempt 3 of 3: .*connection refused \(call 3\)/);
  t.equal(letter.headers['Nats-Msg-Id'], `${order.id}:${event.seq}`);
  const [record] = await recordsOf(notifier, order.id);
  t.match(record, { result: 'failed', attempts: 3, error: 'connection refused (call 3)', sent_at: null });
  t.equal(sender.calls, 3);
});

t.test('a malformed message is dead-lettered at once and records nothing', async (t) => {
  const deployment = newDeployment(servers);
  const letters = await watchDeadLetters(t, deployment);
  const notifier = await startTestNotifier(t, deployment);

  await notifier.bus.publish('order.completed', 'this is not json', { msgId: 'garbage-1' });
  await notifier.bus.publish('order.completed', JSON.stringify({ id: 'o-1:3', type: 'order.failed', version: 1 }), {
    msgId: 'garbage-2',
  });
  await eventually('both dead letters', () => letters.length === 2);

  const reasons = letters.map((letter) => letter.reason).sort();
  t.match(reasons[0], /cannot be handled: not a terminal order event/);
  t.match(reasons[1], /cannot be handled: payload is not valid JSON/);
  t.ok(
    letters.every((letter) => letter.deliveryCount === 1),
    'first delivery',
  );
  t.equal(await notifier.mongo.db.collection('notifications').countDocuments(), 0, 'no record');
});

t.test('an event for an order the store does not know is dead-lettered at once', async (t) => {
  const deployment = newDeployment(servers);
  const letters = await watchDeadLetters(t, deployment);
  const notifier = await startTestNotifier(t, deployment);
  const envelope = {
    id: 'ghost-1:4',
    type: 'order.rejected',
    version: 1,
    time: new Date().toISOString(),
    order_id: 'ghost-1',
    source: 'processor',
    data: { reasons: [], risk_score: null },
  };

  await notifier.bus.publish('order.rejected', JSON.stringify(envelope), { msgId: envelope.id });
  await eventually('the dead letter', () => letters.length === 1);

  t.match(letters[0]?.reason, 'order ghost-1 of ghost-1:4 is unknown');
  t.equal(letters[0]?.deliveryCount, 1);
  t.equal((await recordsOf(notifier, 'ghost-1')).length, 0, 'no record');
});
