import t from 'tap';
import { openSse, useTestServers } from '@orderflow/testkit';
import { startStack } from './support/stack.js';

t.setTimeout(180_000);
const servers = await useTestServers(t);

t.test('a client watching an order sees the processor take it from pending to completed, live', async (t) => {
  const stack = await startStack(t, servers, { deferProcessor: true, env: { PAYMENT_SUCCESS_RATE: '1' } });
  const created = await stack.post('/orders', { customer_id: 'c-watch', items: ['item1'], total: 19.99 });
  t.equal(created.status, 202);
  const id = created.json.id as string;
  const client = await openSse(`${stack.base}/orders/${id}/stream`);
  await client.waitFor(1);

  // Everything after the first event happens while the client watches.
  await stack.startProcessor();
  await client.ended;

  const events = client.events.filter((e) => e.event !== 'end');
  t.same(
    events.map((e) => Number(e.id)),
    events.map((_e, index) => index + 1),
    'ids are consecutive seqs from 1',
  );
  const statuses = events.map((e) => (JSON.parse(e.data) as { status: string }).status);
  t.same([...new Set(statuses)], ['pending', 'processing', 'completed']);
  t.same(
    events.map((e) => e.event),
    (await stack.get(`/orders/${id}/events`)).json.events.map((e: { type: string }) => e.type),
    'the stream is the stored history, event for event',
  );
  t.equal(client.events.at(-1)?.event, 'end');
});
