import t from 'tap';
import { useTestServers } from '@orderflow/testkit';
import { eventually } from '../packages/platform/test/support/eventually.js';
import { startStack } from './support/stack.js';

const servers = await useTestServers(t);

t.test('high-lane orders are served before a flooded low lane, which still progresses', async (t) => {
  const stack = await startStack(t, servers, {
    env: { PAYMENT_SUCCESS_RATE: '1', MAX_IN_FLIGHT: '2', PAYMENT_SETTLE_MS: '0' },
    deferProcessor: true,
  });
  const post = async (i: number, priority: number) =>
    (await stack.post('/orders', { customer_id: `p-${i}`, items: ['a'], total: 5, priority })).json.id as string;
  const low: string[] = [];
  for (let i = 0; i < 60; i++) low.push(await post(i, 3));
  const high: string[] = [];
  for (let i = 0; i < 12; i++) high.push(await post(1_000 + i, 1));

  await stack.startProcessor();
  await eventually(
    'every order completed',
    async () => (await stack.statusCounts([...low, ...high])).completed === 72,
    120_000,
    200,
  );

  // When each order was validated: its `order.processing` event (seq 2).
  const validatedAt = new Map<string, number>();
  const docs = await stack.db
    .collection<{ order_id: string; at: Date }>('order_events')
    .find({ type: 'order.processing' }, { projection: { order_id: 1, at: 1 } })
    .toArray();
  for (const doc of docs) validatedAt.set(doc.order_id, doc.at.getTime());
  const lastHigh = Math.max(...high.map((id) => validatedAt.get(id)!));
  const lowBefore = low.filter((id) => validatedAt.get(id)! < lastHigh).length;
  t.comment(`${lowBefore} of ${low.length} low-lane orders were validated before the last high-lane one`);
  t.ok(lowBefore < low.length / 2, 'the high lane finished while most of the low lane still waited');
  t.ok(lowBefore >= 1, 'the low lane kept its share meanwhile (starvation guard)');
});
