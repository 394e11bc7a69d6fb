import type { Test } from 'tap';
import type { Presence, PresenceMember } from '@orderflow/platform';
import { eventually } from './eventually.js';

/**
 * Two views of one fresh presence store, as two processes of a deployment have:
 * `first` announces, `second` reads (for the memory presence both are one object).
 */
export type PresenceFactory = () => Promise<{ first: Presence; second: Presence; close: () => Promise<void> }>;

const STARTED = new Date('2026-04-01T08:00:00.000Z');

const ids = (members: readonly PresenceMember[]) => members.map((member) => member.id).sort();

/** What every Presence implementation does: announce, list by kind, withdraw, close. */
export function presenceContract(t: Test, makePresence: PresenceFactory): void {
  async function withPresence(t: Test) {
    const { first, second, close } = await makePresence();
    t.teardown(close);
    return { first, second };
  }

  t.test('an announced member is listed with what it said, where it runs, by every reader', async (t) => {
    const { first, second } = await withPresence(t);
    first.announce({ kind: 'processor', threads: 3, startedAt: STARTED });
    const [member] = await eventually('the member listed', async () => {
      const listed = await second.list('processor');
      return listed.length === 1 && listed;
    });
    t.match(member, { kind: 'processor', threads: 3, startedAt: STARTED.toISOString(), pid: process.pid });
    t.type(member!.id, 'string');
    t.type(member!.host, 'string');
  });

  t.test('members are listed under their own kind only', async (t) => {
    const { first, second } = await withPresence(t);
    first.announce({ kind: 'processor', threads: 2, startedAt: STARTED });
    first.announce({ kind: 'api', threads: 1, startedAt: STARTED });
    first.announce({ kind: 'api', threads: 1, startedAt: STARTED });
    await eventually('both kinds listed', async () => {
      const [processors, apis] = await Promise.all([second.list('processor'), second.list('api')]);
      return processors.length === 1 && apis.length === 2;
    });
    t.same(await second.list('notifier'), []);
    t.ok((await second.list('api')).every((member) => member.kind === 'api'));
  });

  t.test('a withdrawn member is gone at once, the others stay', async (t) => {
    const { first, second } = await withPresence(t);
    const leaving = first.announce({ kind: 'processor', threads: 2, startedAt: STARTED });
    first.announce({ kind: 'processor', threads: 5, startedAt: STARTED });
    await eventually('two listed', async () => (await second.list('processor')).length === 2);
    await leaving.withdraw();
    const left = await second.list('processor');
    t.same(
      left.map((member) => member.threads),
      [5],
    );
    await leaving.withdraw();
    t.same(ids(await second.list('processor')), ids(left), 'a second withdraw changes nothing');
  });

  t.test('close withdraws every member announced through it', async (t) => {
    const { first, second } = await withPresence(t);
    first.announce({ kind: 'processor', threads: 2, startedAt: STARTED });
    first.announce({ kind: 'api', threads: 1, startedAt: STARTED });
    await eventually(
      'both listed',
      async () => (await second.list('processor')).length + (await second.list('api')).length === 2,
    );
    await first.close();
    t.same([...(await second.list('processor')), ...(await second.list('api'))], []);
  });
}
