import t from 'tap';
import { jetstreamManager } from '@nats-io/jetstream';
import { decideCancel, decideValidation } from '@orderflow/core';
import type { EventBus } from '@orderflow/platform';
import { useTestServers } from '@orderflow/testkit';
import { eventually, metricValue, newOrder, newSystem, startTestScheduler, storedEvents, storeOf } from './support.js';

const servers = await useTestServers(t);

t.test('events a writer could not publish are published by the sweep in seq order', async (t) => {
  const system = newSystem(servers);
  const scheduler = await startTestScheduler(t, system, { OUTBOX_SWEEP_MS: '300', SWEEP_INTERVAL_MS: '200' });
  const natsDown: EventBus = { ...scheduler.bus, publish: () => Promise.reject(new Error('NATS is unreachable')) };
  const store = storeOf(scheduler, natsDown);
  const { order } = await store.create(newOrder(), 'hash');
  await store.decide(order.id, (o) => decideValidation(o, { failures: [], handling: 'standard', risk_score: 0.1 }));
  await store.decide(order.id, (o) => decideCancel(o, { reason: 'changed my mind', by: 'c1' }));

  await eventually('every event to be published', async () => {
    return (await storedEvents(scheduler, order.id)).every((event) => event.published_at instanceof Date);
  });

  const jsm = await jetstreamManager(scheduler.nats!.nc);
  const stream = `${system.namespace}_ORDERS`;
  const subjects = ['order.created.normal', 'order.processing', 'order.cancelled'];
  const messages = await Promise.all(
    subjects.map((subject) => jsm.streams.getMessage(stream, { last_by_subj: `${system.namespace}.${subject}` })),
  );
  t.same(
    messages.map((message) => message?.header?.get('Nats-Msg-Id')),
    [1, 2, 3].map((seq) => `${order.id}:${seq}`),
    'each event under its subject with its id',
  );
  const streamSeqs = messages.map((message) => message?.seq ?? 0);
  t.same(
    streamSeqs,
    [...streamSeqs].sort((a, b) => a - b),
    'stored on the stream in seq order',
  );
  await eventually('the sweep to count them', async () => {
    return (await metricValue(scheduler.registry, 'orderflow_outbox_republished_total')) >= 3;
  });
  t.equal(
    await metricValue(scheduler.registry, 'orderflow_outbox_republished_total'),
    3,
    'all three by the sweep, none by their writer',
  );
});

t.test('events younger than OUTBOX_SWEEP_MS are left to their writer', async (t) => {
  const scheduler = await startTestScheduler(t, newSystem(servers), {
    OUTBOX_SWEEP_MS: '600000',
    SWEEP_INTERVAL_MS: '100',
  });
  const natsDown: EventBus = { ...scheduler.bus, publish: () => Promise.reject(new Error('NATS is unreachable')) };
  const { order } = await storeOf(scheduler, natsDown).create(newOrder(), 'hash');

  await eventually('three outbox ticks', async () => {
    return (await metricValue(scheduler.registry, 'orderflow_scheduler_ticks_total', { scheduler_job: 'outbox' })) >= 3;
  });

  t.equal((await storedEvents(scheduler, order.id))[0]?.published_at, null);
});
