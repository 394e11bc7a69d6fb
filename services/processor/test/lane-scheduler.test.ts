import t from 'tap';
import type { Lane } from '@orderflow/core';
import { eventually } from '../../../packages/platform/test/support/eventually.js';
import { createLanePicker, createLaneScheduler } from '../src/domain/lane-scheduler.js';

const weights = { high: 6, normal: 3, low: 1 };

t.test('with every lane waiting, ten picks follow the weights 6:3:1, interleaved', async (t) => {
  const picker = createLanePicker(weights);
  const picks = Array.from({ length: 10 }, () => picker.pick(['high', 'normal', 'low']));
  t.same(
    {
      high: picks.filter((l) => l === 'high').length,
      normal: picks.filter((l) => l === 'normal').length,
      low: picks.filter((l) => l === 'low').length,
    },
    { high: 6, normal: 3, low: 1 },
  );
  t.not(picks.slice(0, 6).join(), 'high,high,high,high,high,high', 'not all high first');
});

t.test('a lone waiting lane is always picked, and nothing when no lane waits', async (t) => {
  const picker = createLanePicker(weights);
  t.equal(picker.pick(['low']), 'low');
  t.equal(picker.pick(['low']), 'low');
  t.equal(picker.pick([]), undefined);
});

t.test('the low lane is never starved while high work keeps waiting', async (t) => {
  const picker = createLanePicker(weights);
  const picks = Array.from({ length: 70 }, () => picker.pick(['high', 'low']));
  t.equal(picks.filter((l) => l === 'low').length, 10);
});

t.test('the scheduler runs at most maxInFlight tasks and hands freed slots by weight', async (t) => {
  const scheduler = createLaneScheduler({ weights, maxInFlight: 1, heartbeatMs: 1_000 });
  const order: Lane[] = [];
  let release!: () => void;
  const blocker = scheduler.run('normal', () => new Promise<void>((resolve) => (release = resolve)));
  const queued = [
    ...Array.from({ length: 3 }, () => scheduler.run('low', async () => void order.push('low'))),
    ...Array.from({ length: 3 }, () => scheduler.run('high', async () => void order.push('high'))),
  ];
  t.equal(scheduler.running, 1);
  t.equal(scheduler.waiting('low'), 3);
  release();
  await Promise.all([blocker, ...queued]);
  t.same(order.slice(0, 3), ['high', 'high', 'high'], 'high first once both wait');
  t.equal(scheduler.running, 0);
});

t.test('a task waiting for a slot reports progress', async (t) => {
  const scheduler = createLaneScheduler({ weights, maxInFlight: 1, heartbeatMs: 20 });
  let release!: () => void;
  const blocker = scheduler.run('high', () => new Promise<void>((resolve) => (release = resolve)));
  let beats = 0;
  const waiting = scheduler.run(
    'low',
    async () => undefined,
    () => beats++,
  );
  await eventually('heartbeats while waiting', () => beats >= 2);
  release();
  await Promise.all([blocker, waiting]);
  t.ok(beats >= 2, `heartbeats while waiting: ${beats}`);
});

t.test('a running task reports progress until it ends, then no more', async (t) => {
  const scheduler = createLaneScheduler({ weights, maxInFlight: 1, heartbeatMs: 20 });
  let release!: () => void;
  let beats = 0;
  const running = scheduler.run(
    'normal',
    () => new Promise<void>((resolve) => (release = resolve)),
    () => beats++,
  );
  await eventually('heartbeats while running', () => beats >= 2);
  release();
  await running;
  const after = beats;
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(beats, after, 'no heartbeat after the task ended');
});

t.test('a failing task frees its slot', async (t) => {
  const scheduler = createLaneScheduler({ weights, maxInFlight: 1, heartbeatMs: 1_000 });
  await t.rejects(
    scheduler.run('high', async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  t.equal(scheduler.running, 0);
  t.equal(await scheduler.run('low', async () => 'ran'), 'ran');
});
