import t from 'tap';
import { createLease } from '@orderflow/platform';
import { connectTestServers } from './support/servers.js';

const { mongo } = await connectTestServers(t);
const termMs = 1_000;

/** A clock the test moves by hand. */
function clock(startMs: number) {
  let nowMs = startMs;
  return { now: () => nowMs, set: (ms: number) => void (nowMs = ms) };
}

t.test('only one of several contenders holds a term', async (t) => {
  const time = clock(10 * termMs + 100);
  const leases = ['a', 'b', 'c'].map((owner) => createLease(mongo.db, { name: 'one', owner, termMs, now: time.now }));
  const results = await Promise.all(leases.map((lease) => lease.tryAcquire()));
  t.equal(results.filter(Boolean).length, 1);
  t.equal(leases.filter((lease) => lease.isHeld()).length, 1);
});

t.test('a live holder keeps the lease from one term to the next', async (t) => {
  const time = clock(20 * termMs + 100);
  const holder = createLease(mongo.db, { name: 'sticky', owner: 'holder', termMs, now: time.now });
  const other = createLease(mongo.db, { name: 'sticky', owner: 'other', termMs, now: time.now });
  t.ok(await holder.tryAcquire());
  time.set(20 * termMs + 800); // last third: the holder claims the next term
  t.ok(await holder.tryAcquire());
  time.set(21 * termMs + 10);
  t.notOk(await other.tryAcquire(), 'the next term is taken');
  t.ok(await holder.tryAcquire());
  t.ok(holder.isHeld());
});

t.test('a crashed holder is replaced at the next term it did not claim', async (t) => {
  const time = clock(30 * termMs + 100);
  const crashed = createLease(mongo.db, { name: 'failover', owner: 'crashed', termMs, now: time.now });
  const standby = createLease(mongo.db, { name: 'failover', owner: 'standby', termMs, now: time.now });
  t.ok(await crashed.tryAcquire());
  t.notOk(await standby.tryAcquire());
  time.set(31 * termMs + 10); // the holder never renewed
  t.ok(await standby.tryAcquire());
  t.notOk(crashed.isHeld(), 'the old holder knows its term is over');
});

t.test('release lets another replica take over at once', async (t) => {
  const time = clock(40 * termMs + 100);
  const first = createLease(mongo.db, { name: 'handover', owner: 'first', termMs, now: time.now });
  const second = createLease(mongo.db, { name: 'handover', owner: 'second', termMs, now: time.now });
  t.ok(await first.tryAcquire());
  await first.release();
  t.notOk(first.isHeld());
  t.ok(await second.tryAcquire());
});

t.test('a holder near the end of its term without the next one is no longer held', async (t) => {
  const time = clock(50 * termMs + 100);
  const lease = createLease(mongo.db, { name: 'margin', owner: 'x', termMs, now: time.now });
  t.ok(await lease.tryAcquire());
  time.set(50 * termMs + 950);
  t.notOk(lease.isHeld(), 'too little of the term is left to act safely');
});
