import { contentOf, type ExpectedOrder } from './order-oracle.js';

interface Known {
  readonly content: string;
  readonly order: ExpectedOrder;
  cancelled: boolean;
}

export type CreateExpectation =
  | { readonly status: 202 }
  | { readonly status: 200; readonly original: ExpectedOrder & { readonly id: string } }
  | { readonly status: 409 };

/**
 * Every order the api said it created during the run, by id and by Idempotency-Key, so
 * any later request can be told whether it is new (202), an exact repeat (200) or a
 * conflicting repeat (409), and whether an id exists (200 vs 404).
 */
export function createOrderModel() {
  const byId = new Map<string, Known>();
  const byKey = new Map<string, string>();

  function existing(order: ExpectedOrder, idempotencyKey: string | undefined): string | undefined {
    if (order.id !== undefined) return order.id;
    return idempotencyKey === undefined ? undefined : byKey.get(idempotencyKey);
  }

  return {
    /** What a valid create must answer, given everything created before it. */
    expect(order: ExpectedOrder, idempotencyKey?: string): CreateExpectation {
      const id = existing(order, idempotencyKey);
      const known = id === undefined ? undefined : byId.get(id);
      if (!known || id === undefined) return { status: 202 };
      if (known.content !== contentOf(order)) return { status: 409 };
      return { status: 200, original: { ...known.order, id } };
    },
    /** Records a 202 under the id the api gave it. */
    created(id: string, order: ExpectedOrder, idempotencyKey?: string): void {
      byId.set(id, { content: contentOf(order), order: { ...order, id }, cancelled: false });
      if (order.id === undefined && idempotencyKey !== undefined) byKey.set(idempotencyKey, id);
    },
    has: (id: string) => byId.has(id),
    isCancelled: (id: string) => byId.get(id)?.cancelled ?? false,
    cancelled(id: string): void {
      const known = byId.get(id);
      if (known) known.cancelled = true;
    },
    /** A few existing ids, to aim reads, cancels and webhooks at real orders. */
    ids: (): string[] => [...byId.keys()],
    get size(): number {
      return byId.size;
    },
  };
}

export type OrderModel = ReturnType<typeof createOrderModel>;
