import t from 'tap';
import { createBatcher, type Settled } from '../src/batcher.js';

/** A batch runner that records each batch and answers item × 10, failing odd items when asked. */
function recorder(failOdd = false) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  let held = false;
  return {
    batches,
    hold: () => (held = true),
    release: () => {
      held = false;
      for (const go of pending.splice(0)) go();
    },
    async run(items: readonly number[]): Promise<Settled<number>[]> {
      batches.push([...items]);
      if (held) await new Promise<void>((resolve) => pending.push(resolve));
      return items.map((n) =>
        failOdd && n % 2 === 1 ? { ok: false, error: new Error(`odd ${n}`) } : { ok: true, value: n * 10 },
      );
    },
  };
}

t.test('items submitted in one turn go out as one batch, each caller gets its own outcome', async (t) => {
  const r = recorder();
  const submit = createBatcher<number, number>({
    enabled: true,
    maxSize: 10,
    maxInFlight: 1,
    run: (items) => r.run(items),
  });
  t.same(await Promise.all([1, 2, 3].map(submit)), [10, 20, 30]);
  t.same(r.batches, [[1, 2, 3]]);
});

t.test('while a batch is at the server the next gathers, bounded by maxSize', async (t) => {
  const r = recorder();
  const submit = createBatcher<number, number>({
    enabled: true,
    maxSize: 2,
    maxInFlight: 1,
    run: (items) => r.run(items),
  });
  r.hold();
  const first = submit(1);
  await new Promise((resolve) => setImmediate(resolve));
  const rest = [2, 3, 4, 5, 6].map(submit);
  t.same(r.batches, [[1]], 'nothing else is sent while the one batch allowed is in flight');
  r.release();
  t.same(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50, 60]);
  t.same(r.batches, [[1], [2, 3], [4, 5], [6]]);
});

t.test('an item that fails alone rejects only its caller; a failed batch rejects all of its callers', async (t) => {
  const r = recorder(true);
  const submit = createBatcher<number, number>({
    enabled: true,
    maxSize: 10,
    maxInFlight: 2,
    run: (items) => r.run(items),
  });
  const results = await Promise.allSettled([1, 2].map(submit));
  t.match(results, [
    { status: 'rejected', reason: { message: 'odd 1' } },
    { status: 'fulfilled', value: 20 },
  ]);

  const failing = createBatcher<number, number>({
    enabled: true,
    maxSize: 10,
    maxInFlight: 1,
    run: () => Promise.reject(new Error('server gone')),
  });
  const all = await Promise.allSettled([1, 2, 3].map(failing));
  t.ok(all.every((result) => result.status === 'rejected' && (result.reason as Error).message === 'server gone'));
  t.same(
    await createBatcher<number, number>({ enabled: true, maxSize: 1, maxInFlight: 1, run: (items) => r.run(items) })(4),
    40,
    'and it goes on',
  );
});

t.test('off, every item is a batch of one, sent at once', async (t) => {
  const r = recorder(true);
  const submit = createBatcher<number, number>({
    enabled: false,
    maxSize: 10,
    maxInFlight: 1,
    run: (items) => r.run(items),
  });
  const results = await Promise.allSettled([2, 3, 4].map(submit));
  t.same(r.batches, [[2], [3], [4]]);
  t.match(results, [{ value: 20 }, { status: 'rejected' }, { value: 40 }]);
});

t.test('a batch that settles fewer items than it got rejects the ones left out', async (t) => {
  const submit = createBatcher<number, number>({
    enabled: true,
    maxSize: 10,
    maxInFlight: 1,
    run: async () => [{ ok: true, value: 1 }],
  });
  const results = await Promise.allSettled([1, 2].map(submit));
  t.match(results, [
    { status: 'fulfilled', value: 1 },
    { status: 'rejected', reason: { message: /no outcome/ } },
  ]);
});

/** A batcher of one slot whose first batch rejects with `error` when `fail()` is called; later batches succeed. */
function firstBatchFails(error: Error, failsWaiting: (error: unknown) => boolean) {
  const sent: number[][] = [];
  let fail = (): void => {};
  const submit = createBatcher<number, number>({
    enabled: true,
    maxSize: 10,
    maxInFlight: 1,
    failsWaiting,
    run: (items) => {
      sent.push([...items]);
      if (sent.length > 1) return Promise.resolve(items.map((n) => ({ ok: true, value: n })));
      return new Promise((_resolve, reject) => (fail = () => reject(error)));
    },
  });
  return { submit, sent, fail: () => fail() };
}

t.test('a batch failing for an unreachable server fails the items waiting for a slot at once', async (t) => {
  const gone = new Error('server gone');
  const unreachable = (error: unknown) => error === gone;
  const down = firstBatchFails(gone, unreachable);
  const first = down.submit(1);
  await new Promise((resolve) => setImmediate(resolve));
  const waiting = [2, 3].map(down.submit);
  t.same(down.sent, [[1]], 'the others wait for the one slot');
  down.fail();
  const results = await Promise.allSettled([first, ...waiting]);
  t.ok(
    results.every((result) => result.status === 'rejected' && result.reason === gone),
    'all three fail with the error of the first batch',
  );
  t.same(down.sent, [[1]], 'without sending the waiting ones');

  const other = new Error('some other failure');
  const picky = firstBatchFails(other, unreachable);
  const doomed = picky.submit(1);
  await new Promise((resolve) => setImmediate(resolve));
  const next = picky.submit(2);
  picky.fail();
  await t.rejects(doomed, other);
  t.equal(await next, 2, 'any other failure leaves the waiting items their own attempt');
  t.same(picky.sent, [[1], [2]]);
});
