import t from 'tap';
import { createBackpressure, RESUME_SHARE } from '../src/domain/backpressure.js';

t.test('creations beyond maxInFlight are refused for a second, and admitted again as they end', async (t) => {
  const pressure = createBackpressure({ maxInFlight: 2, maxWaitMs: 0, maxBacklog: 0 });
  const first = pressure.begin(0);
  pressure.begin(0);
  t.same(pressure.admit(0), { admit: false, reason: 'in_flight', retryAfterSeconds: 1 });
  first();
  first();
  t.equal(pressure.inFlight, 1, 'ending twice ends once');
  t.same(pressure.admit(0), { admit: true });
});

t.test('while the oldest creation has waited on the store past maxWaitMs, new ones are refused', async (t) => {
  const pressure = createBackpressure({ maxInFlight: 0, maxWaitMs: 1_000, maxBacklog: 0 });
  const slow = pressure.begin(0);
  const later = pressure.begin(600);
  t.same(pressure.admit(1_000), { admit: true }, 'at the limit: still admitted');
  t.same(pressure.admit(1_001), { admit: false, reason: 'store_wait', retryAfterSeconds: 1 });
  slow();
  t.same(pressure.admit(1_500), { admit: true }, 'the oldest answered: the next oldest has waited 900 ms');
  t.same(pressure.admit(1_700), { admit: false, reason: 'store_wait', retryAfterSeconds: 1 });
  later();
  t.same(pressure.admit(60_000), { admit: true }, 'nothing in flight: nothing waits');
  const off = createBackpressure({ maxInFlight: 0, maxWaitMs: 0, maxBacklog: 0 });
  off.begin(0);
  t.same(off.admit(3_600_000), { admit: true }, '0 turns it off');
});

t.test('over the backlog limit intake is refused until the backlog is back under the resume share', async (t) => {
  const pressure = createBackpressure({ maxInFlight: 0, maxWaitMs: 0, maxBacklog: 1_000 });
  pressure.observeBacklog(900, 0);
  t.same(pressure.admit(0), { admit: true });
  pressure.observeBacklog(1_200, 1_000);
  t.match(pressure.admit(1_000), { admit: false, reason: 'backlog' });
  pressure.observeBacklog(1_000 * RESUME_SHARE + 50, 2_000);
  t.match(pressure.admit(2_000), { admit: false }, 'between the resume level and the limit it stays refused');
  pressure.observeBacklog(1_000 * RESUME_SHARE - 1, 3_000);
  t.same(pressure.admit(3_000), { admit: true }, 'and recovers by itself once drained');
});

t.test('Retry-After is the time the backlog needs to drain at the rate seen, bounded', async (t) => {
  const pressure = createBackpressure({ maxInFlight: 0, maxWaitMs: 0, maxBacklog: 1_000 });
  pressure.observeBacklog(5_000, 0);
  t.match(pressure.admit(0), { retryAfterSeconds: 5 }, 'no drain seen yet: a fixed pause');
  pressure.observeBacklog(4_000, 1_000);
  // 4000 − 800 to go at 1000/s.
  t.match(pressure.admit(1_000), { retryAfterSeconds: 4 });
  const stuck = createBackpressure({ maxInFlight: 0, maxWaitMs: 0, maxBacklog: 10 });
  stuck.observeBacklog(100_000, 0);
  stuck.observeBacklog(99_999, 1_000);
  t.match(stuck.admit(1_000), { retryAfterSeconds: 30 }, 'never more than 30 s');
});

t.test('a stale backlog sample does not keep intake closed', async (t) => {
  const pressure = createBackpressure({ maxInFlight: 0, maxWaitMs: 0, maxBacklog: 10 });
  pressure.observeBacklog(50, 0);
  t.match(pressure.admit(5_000), { admit: false });
  t.same(pressure.admit(60_000), { admit: true }, 'no sample for a minute: the signal is gone, not the pipeline');
});
