import t from 'tap';
import { decideFailure, PermanentError } from '@orderflow/platform';

const backoffMs = [1_000, 5_000, 30_000];

t.test('a transient failure is retried with the delay for its attempt', async (t) => {
  t.same(decideFailure(new Error('boom'), 1, 4, backoffMs), { action: 'retry', delayMs: 1_000 });
  t.same(decideFailure(new Error('boom'), 2, 4, backoffMs), { action: 'retry', delayMs: 5_000 });
  t.same(decideFailure(new Error('boom'), 3, 4, backoffMs), { action: 'retry', delayMs: 30_000 });
});

t.test('deliveries past the backoff list reuse its last delay', async (t) => {
  t.same(decideFailure(new Error('boom'), 7, 10, backoffMs), { action: 'retry', delayMs: 30_000 });
});

t.test('the last attempt dead-letters with the attempt count in the reason', async (t) => {
  const decision = decideFailure(new Error('boom'), 4, 4, backoffMs);
  t.equal(decision.action, 'dead-letter');
  t.match(decision, { reason: /attempt 4 of 4: boom/ });
});

t.test('a permanent error dead-letters on the first attempt', async (t) => {
  const decision = decideFailure(new PermanentError('not JSON'), 1, 4, backoffMs);
  t.match(decision, { action: 'dead-letter', reason: /not JSON/ });
});
