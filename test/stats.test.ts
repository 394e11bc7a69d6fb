import t from 'tap';
import { eventually, useTestServers } from '@orderflow/testkit';
import { startStack } from './support/stack.js';

const servers = await useTestServers(t);

t.test('/stats follows real orders: queued while no processor runs, then processed by its threads', async (t) => {
  const stack = await startStack(t, servers, {
    env: { PAYMENT_SUCCESS_RATE: '1', PAYMENT_SETTLE_MS: '0', VALIDATION_THREADS: '2' },
    deferProcessor: true,
  });
  const stats = async () => (await stack.get('/stats')).json;
  for (const priority of [1, 1, 2, 3, 3]) {
    t.equal((await stack.post('/orders', { customer_id: 'st', items: ['a'], total: 9.5, priority })).status, 202);
  }
  const queued = await eventually('the orders queued', async () => {
    const answer = await stats();
    return answer.queue_length.total === 5 && answer;
  });
  t.match(queued, { active_workers: 0, total_processed: 0, queue_length: { high: 2, normal: 1, low: 2 } });

  const processor = await stack.startProcessor();
  const running = await eventually('the processor seen', async () => {
    const answer = await stats();
    return answer.active_workers === 2 && answer;
  });
  t.pass(`active_workers ${running.active_workers}: one processor with two validation threads`);
  const done = await eventually(
    'every order completed',
    async () => {
      const answer = await stats();
      return answer.success_count === 5 && answer.queue_length.total === 0 && answer;
    },
    60_000,
    200,
  );
  t.match(done, { total_processed: 5, error_count: 0, average_process_time_ms: Number });
  t.ok(done.average_process_time_ms > 0, `average ${done.average_process_time_ms} ms`);

  await processor.stop();
  await eventually('the stopped processor gone', async () => (await stats()).active_workers === 0);
  t.pass('a processor that stops is no longer counted');
});
