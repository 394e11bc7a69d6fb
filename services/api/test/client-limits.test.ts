import t from 'tap';
import { createClientLimits } from '../src/live/client-limits.js';

t.test('an address gets at most maxPerIp places, other addresses still get theirs', async (t) => {
  const limits = createClientLimits({ maxClients: 10, maxPerIp: 2 });
  t.match(limits.admit('10.0.0.1'), { admitted: true });
  t.match(limits.admit('10.0.0.1'), { admitted: true });
  t.same(limits.admit('10.0.0.1'), { admitted: false, limit: 'ip' });
  t.match(limits.admit('10.0.0.2'), { admitted: true });
  t.equal(limits.total, 3);
});

t.test('the process gets at most maxClients places, whatever the addresses', async (t) => {
  const limits = createClientLimits({ maxClients: 2, maxPerIp: 5 });
  limits.admit('a');
  limits.admit('b');
  t.same(limits.admit('c'), { admitted: false, limit: 'process' });
});

t.test('a released place can be taken again, and releasing twice gives back one place', async (t) => {
  const limits = createClientLimits({ maxClients: 5, maxPerIp: 1 });
  const first = limits.admit('a');
  if (!first.admitted) throw new Error('expected a place');
  first.release();
  first.release();
  t.equal(limits.total, 0);
  const second = limits.admit('a');
  t.match(second, { admitted: true });
  t.same(limits.admit('a'), { admitted: false, limit: 'ip' }, 'the double release did not free a second place');
  t.equal(limits.total, 1);
});
