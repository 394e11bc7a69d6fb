import {
  decideCancel,
  decideExpire,
  decidePayment,
  decideSettle,
  decideValidation,
  type Decision,
  type Order,
  type OrderStatus,
  type PaymentEventType,
} from '@orderflow/core';
import { createOrderStore, type OrderStore } from '@orderflow/event-store';
import { createLogger, createMemoryBus, createTopology, loadPlatformConfig, type Db } from '@orderflow/platform';

const log = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });
const VALID = { failures: [], handling: 'standard' as const, risk_score: 0.1 };
const TOO_BIG = {
  failures: [{ rule: 'total_max' as const, message: 'total over the maximum' }],
  handling: 'standard' as const,
  risk_score: 0.1,
};

/** Milliseconds since the epoch that the store writes events at; the test moves it. */
export interface Clock {
  nowMs: number;
}

/**
 * The real order store over `db`, its events stamped by `clock`, publishing to an
 * in-memory bus: seeded orders live in MongoDB only and leave NATS consumers alone.
 */
export function seedingStore(db: Db, clock: Clock): OrderStore {
  const bus = createMemoryBus(createTopology(loadPlatformConfig('api', { EVENT_BUS: 'memory' }).bus));
  return createOrderStore({ db, bus, log, source: 'test', now: () => clock.nowMs });
}

/**
 * Creates order `id` at the clock's time and drives it through the real decisions to
 * `status`, its terminal event `afterMs` after creation (open statuses ignore it).
 */
export async function seedOrder(
  store: OrderStore,
  clock: Clock,
  id: string,
  status: OrderStatus,
  afterMs = 1_000,
): Promise<Order> {
  const createdMs = clock.nowMs;
  const at = (offsetMs: number) => (clock.nowMs = createdMs + offsetMs);
  const decide = async (offsetMs: number, decision: (order: Order) => Decision) => {
    at(offsetMs);
    const result = await store.decide(id, decision);
    if (result.outcome !== 'appended') throw new Error(`seeding ${id}: ${result.outcome}`);
    return result.order;
  };
  const pay = (offsetMs: number, type: PaymentEventType) =>
    decide(offsetMs, (order) =>
      decidePayment(
        order,
        { event_id: `${id}-${type}`, type, order_id: id, created_at: new Date(clock.nowMs).toISOString() },
        clock.nowMs,
        0,
      ),
    );

  let order = (
    await store.create(
      {
        id,
        customer_id: 'c-seed',
        items: [{ sku: 'a', quantity: 1 }],
        total_minor: 1_000,
        currency: 'USD',
        priority: 2,
        lane: 'normal',
        created_by: 'c-seed',
      },
      `hash-${id}`,
    )
  ).order;
  try {
    switch (status) {
      case 'pending':
        return order;
      case 'rejected':
        return await decide(afterMs, (o) => decideValidation(o, TOO_BIG));
      case 'cancelled':
        return await decide(afterMs, (o) => decideCancel(o, { reason: 'seeded', by: 'c-seed' }));
      case 'expired':
        return await decide(afterMs, (o) => decideExpire(o, clock.nowMs, 1));
      default:
        order = await decide(1, (o) => decideValidation(o, VALID));
    }
    if (status === 'processing') return order;
    await pay(2, 'payment.created');
    if (status === 'completed') {
      await pay(3, 'payment.authorized');
      await pay(4, 'payment.captured');
    } else {
      await pay(3, 'payment.declined');
    }
    return await decide(afterMs, (o) => decideSettle(o, clock.nowMs));
  } finally {
    clock.nowMs = createdMs;
  }
}
