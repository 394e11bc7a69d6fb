import t from 'tap';
import { canTransition, ORDER_STATUSES, type OrderStatus } from '@orderflow/core';

const LEGAL: ReadonlySet<string> = new Set([
  '(none)→pending',
  'pending→processing',
  'pending→rejected',
  'pending→expired',
  'pending→cancelled',
  'processing→completed',
  'processing→failed',
  'processing→expired',
  'processing→cancelled',
]);

const FROM: readonly (OrderStatus | undefined)[] = [undefined, ...ORDER_STATUSES];

for (const from of FROM) {
  for (const to of ORDER_STATUSES) {
    const name = `${from ?? '(none)'}→${to}`;
    const legal = LEGAL.has(name);
    t.test(`${name} is ${legal ? 'legal' : 'illegal'}`, async (t) => {
      t.equal(canTransition(from, to), legal);
    });
  }
}

t.test('terminal statuses lead nowhere', async (t) => {
  for (const from of ['completed', 'failed', 'rejected', 'expired', 'cancelled'] as const) {
    t.notOk(
      ORDER_STATUSES.some((to) => canTransition(from, to)),
      from,
    );
  }
});
