import t from 'tap';
import { createMemoryPresence } from '@orderflow/platform';
import { presenceContract } from './support/presence-contract.js';

presenceContract(t, async () => {
  const presence = createMemoryPresence();
  return { first: presence, second: presence, close: () => presence.close() };
});

t.test('members of separate memory presences never see each other', async (t) => {
  const one = createMemoryPresence();
  const other = createMemoryPresence();
  one.announce({ kind: 'processor', threads: 1, startedAt: new Date() });
  t.same(await other.list('processor'), []);
  t.equal((await one.list('processor')).length, 1);
});
