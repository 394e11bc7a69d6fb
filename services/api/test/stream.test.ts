import t, { type Test } from 'tap';
import type { NewEvent } from '@orderflow/core';
import { createOrderStore } from '@orderflow/event-store';
import { eventually, openSse, useTestServers, type SseEvent } from '@orderflow/testkit';
import { startTestApi } from './support.js';

t.setTimeout(300_000);
const servers = await useTestServers(t);

/** The api with a store of its own to append events as the processor would. */
async function startLiveApi(t: Test, env: Record<string, string> = {}) {
  const api = await startTestApi(t, servers, { RATE_LIMIT_PER_MIN: '0', SSE_HEARTBEAT_MS: '1000', ...env });
  await api.runtime.busReady;
  const store = createOrderStore({
    db: api.runtime.mongo.db,
    bus: api.runtime.bus,
    log: api.runtime.log,
    source: 'test',
  });
  let next = 0;
  return {
    ...api,
    async createOrder(): Promise<string> {
      const id = `live-${process.pid}-${++next}-${Date.now()}`;
      const created = await api.request('POST', '/orders', { id, customer_id: 'c-live', items: ['a'], total: 5 });
      if (created.status !== 202) throw new Error(`create answered ${created.status}`);
      return id;
    },
    async append(orderId: string, event: NewEvent): Promise<void> {
      const result = await store.decide(orderId, () => ({ outcome: 'append', event }));
      if (result.outcome !== 'appended') throw new Error(`append: ${result.outcome}`);
    },
    stream(orderId: string, headers: Record<string, string> = {}) {
      return openSse(`${api.base}/orders/${orderId}/stream`, headers);
    },
  };
}
type LiveApi = Awaited<ReturnType<typeof startLiveApi>>;

const PROCESSING: NewEvent = { type: 'order.processing', data: { handling: 'standard', risk_score: 0.1 } };
const COMPLETED: NewEvent = { type: 'order.completed', data: { reason: 'payment captured' } };

const summary = (events: readonly SseEvent[]) =>
  events.map((e) => [e.id, e.event, (JSON.parse(e.data) as { status: string }).status]);

async function settle(t: Test, api: LiveApi) {
  await eventually('every stream and listener gone', () => {
    const live = api.runtime.live();
    return live.streams === 0 && live.listeners === 0;
  });
  t.same(api.runtime.live(), { streams: 0, listeners: 0 }, 'back to the baseline');
}

t.test('a client sees pending, processing and completed with consecutive ids, then the end', async (t) => {
  const api = await startLiveApi(t);
  const id = await api.createOrder();
  const client = await api.stream(id);
  t.equal(client.status, 200);
  t.match(client.headers.get('content-type'), /^text\/event-stream/);
  t.equal(client.headers.get('cache-control'), 'no-cache, no-transform');
  await client.waitFor(1);

  await api.append(id, PROCESSING);
  await api.append(id, COMPLETED);
  await client.ended;
  t.same(summary(client.events.slice(0, 3)), [
    ['1', 'order.created', 'pending'],
    ['2', 'order.processing', 'processing'],
    ['3', 'order.completed', 'completed'],
  ]);
  t.equal(client.events.length, 4, 'then one more event');
  t.equal(client.events[3]?.event, 'end');
  t.same(JSON.parse(client.events[3]!.data), { order_id: id, status: 'completed' });
  t.match(JSON.parse(client.events[1]!.data), { id: `${id}:2`, seq: 2, type: 'order.processing', at: String });
  await settle(t, api);
});

t.test('a client that reconnects with Last-Event-ID gets the rest exactly once', async (t) => {
  const api = await startLiveApi(t);
  const id = await api.createOrder();
  const first = await api.stream(id);
  await first.waitFor(1);
  first.close();
  await api.append(id, PROCESSING);

  const second = await api.stream(id, { 'last-event-id': first.events[0]!.id! });
  await second.waitFor(1);
  await api.append(id, COMPLETED);
  await second.ended;
  t.same(summary(second.events), [
    ['2', 'order.processing', 'processing'],
    ['3', 'order.completed', 'completed'],
    ['3', 'end', 'completed'],
  ]);

  const late = await api.stream(id, { 'last-event-id': '3' });
  await late.ended;
  t.same(
    late.events.map((e) => e.event),
    ['end'],
    'a client that has the terminal event is told the end at once',
  );
  await settle(t, api);
});

t.test('500 concurrent clients on one order all receive every event', async (t) => {
  const api = await startLiveApi(t, { SSE_MAX_PER_IP: '1000' });
  const id = await api.createOrder();
  const clients = await Promise.all(Array.from({ length: 500 }, () => api.stream(id)));
  t.ok(
    clients.every((c) => c.status === 200),
    'all accepted',
  );
  await Promise.all(clients.map((c) => c.waitFor(1, 60_000)));
  t.equal(api.runtime.live().streams, 500);
  await api.append(id, PROCESSING);
  await api.append(id, COMPLETED);
  await Promise.all(clients.map((c) => c.ended));
  const wrong = clients.filter(
    (c) => JSON.stringify(c.events.map((e) => e.id)) !== JSON.stringify(['1', '2', '3', '3']),
  );
  t.equal(wrong.length, 0, 'each got ids 1, 2, 3 and the end');
  await settle(t, api);
});

t.test('streams over the per-address limit get 429 in the error shape, and give their places back', async (t) => {
  const api = await startLiveApi(t, { SSE_MAX_PER_IP: '2' });
  const id = await api.createOrder();
  const open = [await api.stream(id), await openSse(`${api.base}/orders/stream`)];
  const refused = await api.stream(id);
  t.equal(refused.status, 429, 'the order stream and the feed count against one address');
  t.ok(refused.headers.get('retry-after'), 'with Retry-After');
  t.match(JSON.parse(refused.body!), { error: 'rate_limited', message: String, request_id: String });
  for (const client of open) client.close();
  await settle(t, api);
  const again = await api.stream(id);
  t.equal(again.status, 200, 'a place is free again');
  again.close();
  await settle(t, api);
});

t.test('streams over the process limit get 503 with Retry-After', async (t) => {
  const api = await startLiveApi(t, { SSE_MAX_PER_IP: '10', SSE_MAX_CLIENTS: '2' });
  const id = await api.createOrder();
  const open = [await api.stream(id), await api.stream(id)];
  const refused = await api.stream(id);
  t.equal(refused.status, 503);
  t.ok(refused.headers.get('retry-after'));
  t.match(JSON.parse(refused.body!), { error: 'unavailable', request_id: String });
  for (const client of open) client.close();
  await settle(t, api);
});

t.test('an unknown order is 404 and a malformed Last-Event-ID 400, holding no place', async (t) => {
  const api = await startLiveApi(t);
  const unknown = await api.stream('no-such-order');
  t.equal(unknown.status, 404);
  t.match(JSON.parse(unknown.body!), { error: 'not_found' });
  const id = await api.createOrder();
  const malformed = await api.stream(id, { 'last-event-id': 'abc' });
  t.equal(malformed.status, 400);
  t.match(JSON.parse(malformed.body!), { error: 'validation_error' });
  await settle(t, api);
});

t.test('heartbeats arrive while nothing happens', async (t) => {
  const api = await startLiveApi(t);
  const id = await api.createOrder();
  const client = await api.stream(id);
  await eventually('a heartbeat comment', () => client.comments.some((c) => c.startsWith('heartbeat')), 10_000);
  client.close();
  await settle(t, api);
});

t.test('a stream is closed at its maximum lifetime (the client reconnects)', async (t) => {
  const api = await startLiveApi(t, { SSE_MAX_LIFETIME_MS: '1000' });
  const id = await api.createOrder();
  const client = await api.stream(id);
  await client.ended;
  t.same(summary(client.events), [['1', 'order.created', 'pending']]);
  await settle(t, api);
});

t.test('the feed of all orders sends status changes, only the statuses asked for', async (t) => {
  const api = await startLiveApi(t);
  const everything = await openSse(`${api.base}/orders/stream`);
  const completions = await openSse(`${api.base}/orders/stream?status=completed,failed`);
  t.equal(everything.status, 200);
  const id = await api.createOrder();
  await api.append(id, PROCESSING);
  await api.append(id, COMPLETED);
  await everything.waitFor(3);
  await completions.waitFor(1);
  t.same(
    everything.events.map((e) => e.event),
    ['order.created', 'order.processing', 'order.completed'],
  );
  t.match(JSON.parse(completions.events[0]!.data), { order_id: id, seq: 3, status: 'completed' });
  t.equal(completions.events.length, 1);

  const bad = await openSse(`${api.base}/orders/stream?status=shipped`);
  t.equal(bad.status, 400);
  everything.close();
  completions.close();
  await settle(t, api);
});

t.test('stopping the api ends open streams instead of waiting for them', async (t) => {
  const api = await startLiveApi(t);
  const id = await api.createOrder();
  const client = await api.stream(id);
  await client.waitFor(1);
  await api.runtime.stop('test');
  await client.ended;
  t.pass('the stream ended with the server');
});
