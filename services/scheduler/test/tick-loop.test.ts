import t from 'tap';
import { createLogger } from '@orderflow/platform';
import { startTickLoop } from '../src/entry-points/tick-loop.js';
import { eventually } from './support.js';

/** A logger whose JSON lines the test can read. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: 'scheduler',
    version: '0',
    environment: 'test',
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { log, lines };
}

t.test('a tick that outlasts the interval delays the next one instead of overlapping it', async (t) => {
  const { log } = capturedLog();
  const stopping = new AbortController();
  let running = 0;
  let mostAtOnce = 0;
  let ticks = 0;
  const loop = startTickLoop({
    name: 'slow',
    intervalMs: 1,
    signal: stopping.signal,
    log,
    tick: async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      ticks++;
    },
  });

  await eventually('five ticks', () => ticks >= 5);
  stopping.abort();
  await loop.done;

  t.equal(mostAtOnce, 1);
});

t.test('a failing tick is logged and the next tick runs', async (t) => {
  const { log, lines } = capturedLog();
  const stopping = new AbortController();
  let attempts = 0;
  const loop = startTickLoop({
    name: 'flaky',
    intervalMs: 5,
    signal: stopping.signal,
    log,
    tick: async () => {
      attempts++;
      if (attempts === 1) throw new Error('database hiccup');
    },
  });

  await eventually('a second tick', () => attempts >= 2);
  stopping.abort();
  await loop.done;

  const failure = lines.find((line) => line['event.action'] === 'scheduler-tick-failed');
  t.match(failure, { 'log.level': 'error', 'scheduler.job': 'flaky', error: { message: 'database hiccup' } });
});

t.test('once stopping begins no tick starts, and done waits for the tick in flight', async (t) => {
  const { log } = capturedLog();
  const stopping = new AbortController();
  let started = 0;
  let finished = 0;
  let release: () => void = () => undefined;
  const loop = startTickLoop({
    name: 'in-flight',
    intervalMs: 1,
    signal: stopping.signal,
    log,
    tick: async () => {
      started++;
      await new Promise<void>((resolve) => (release = resolve));
      finished++;
    },
  });
  await eventually('the first tick to start', () => started === 1);

  stopping.abort();
  let done = false;
  const settled = loop.done.then(() => (done = true));
  await Promise.resolve();
  t.notOk(done, 'not done while the tick runs');
  release();
  await settled;

  t.equal(finished, 1, 'the tick in flight finished');
  t.equal(started, 1, 'no tick started after the abort');
});
