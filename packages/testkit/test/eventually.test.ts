import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { eventually } from '../src/index.js';

t.test('returns the first value that is neither undefined nor false', async (t) => {
  let calls = 0;
  t.equal(await eventually('the third call', () => (++calls === 3 ? 'done' : false), 5_000, 1), 'done');
  t.equal(calls, 3);
});

t.test('fails after the timeout with what it waited for and the last error', async (t) => {
  const failure = new Error('not yet');
  await t.rejects(
    eventually(
      'a thing',
      () => {
        throw failure;
      },
      100,
      10,
    ),
    { message: 'timed out after 100 ms waiting for a thing', cause: failure },
  );
});

t.test('a probe that never settles fails the wait instead of hanging it', async (t) => {
  const startedMs = Date.now();
  await t.rejects(
    eventually('an answer', () => new Promise<boolean>(() => undefined), 200),
    { message: 'timed out after 200 ms waiting for an answer: its probe never settled' },
  );
  // A slow probe may still answer past the deadline: it is given 5 s more at least.
  const elapsedMs = Date.now() - startedMs;
  t.ok(elapsedMs >= 5_200, `gave up after ${elapsedMs} ms`);
});

t.test('a probe that answers after the deadline, within the grace, still counts', async (t) => {
  t.equal(await eventually('a slow answer', () => sleep(400, 'late'), 100), 'late');
});
