import { createHash, randomUUID } from 'node:crypto';
import { laneOf, toMinor, type Address, type NewOrder, type OrderItem, type Priority } from '@orderflow/core';

/** The create payload in any of the accepted shapes (SPEC §3), after schema validation. */
export interface CreateOrderBody {
  readonly id?: string;
  readonly customer_id?: string;
  readonly customer?: string;
  readonly customer_email?: string;
  readonly user_id?: string;
  readonly items: readonly (string | { sku: string; name?: string; quantity: number; unit_price?: number })[];
  readonly total?: number;
  readonly amount?: number;
  readonly currency?: string;
  readonly priority?: number;
  readonly address?: Address;
  readonly notes?: string;
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type Normalized =
  | { readonly ok: true; readonly order: NewOrder; readonly requestHash: string }
  | { readonly ok: false; readonly problems: FieldProblem[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Maps an accepted payload onto the order model: `amount` is `total`, `customer` is
 * `customer_id` (an e-mail there also fills `customer_email`), a bare string item is
 * `{sku, quantity: 1}`, money becomes minor units. `created_by` is the X-User-Id header,
 * else `user_id`, else the customer. The order id is the client's `id`, else derived
 * from the Idempotency-Key, else new. The request hash tells a repeat from a different
 * payload under the same id.
 */
export function normalizeNewOrder(
  body: CreateOrderBody,
  headers: { readonly userId?: string | undefined; readonly idempotencyKey?: string | undefined },
): Normalized {
  const problems: FieldProblem[] = [];
  const customerId = body.customer_id ?? body.customer;
  if (body.customer_id !== undefined && body.customer !== undefined && body.customer_id !== body.customer) {
    problems.push({ field: 'customer', message: 'customer and customer_id disagree; send one' });
  }
  if (customerId === undefined)
    problems.push({ field: 'customer_id', message: 'customer_id (or customer) is required' });

  const total = body.total ?? body.amount;
  if (body.total !== undefined && body.amount !== undefined && body.total !== body.amount) {
    problems.push({ field: 'amount', message: 'amount and total disagree; send one' });
  }
  let totalMinor: number | undefined;
  if (total === undefined) problems.push({ field: 'total', message: 'total (or amount) is required' });
  else {
    totalMinor = toMinor(total);
    if (totalMinor === undefined) problems.push({ field: 'total', message: 'must have at most 2 decimals' });
  }

  const items: OrderItem[] = body.items.map((item, index) => {
    if (typeof item === 'string') return { sku: item, quantity: 1 };
    let unitPriceMinor: number | undefined;
    if (item.unit_price !== undefined) {
      unitPriceMinor = toMinor(item.unit_price);
      if (unitPriceMinor === undefined) {
        problems.push({ field: `items[${index}].unit_price`, message: 'must have at most 2 decimals' });
      }
    }
    return {
      sku: item.sku,
      quantity: item.quantity,
      ...(item.name === undefined ? {} : { name: item.name }),
      ...(unitPriceMinor === undefined ? {} : { unit_price_minor: unitPriceMinor }),
    };
  });

  const email = body.customer_email ?? (customerId !== undefined && EMAIL.test(customerId) ? customerId : undefined);
  if (problems.length > 0 || customerId === undefined || totalMinor === undefined) return { ok: false, problems };

  const priority = (body.priority ?? 2) as Priority;
  const content = {
    customer_id: customerId,
    ...(email === undefined ? {} : { customer_email: email }),
    items,
    total_minor: totalMinor,
    currency: body.currency ?? 'USD',
    priority,
    lane: laneOf(priority),
    ...(body.address === undefined ? {} : { address: body.address }),
    ...(body.notes === undefined ? {} : { notes: body.notes }),
  };
  const id = body.id ?? (headers.idempotencyKey ? idFromKey(headers.idempotencyKey) : randomUUID());
  const requestHash = hashOf({ id, ...content });
  const createdBy = headers.userId ?? body.user_id ?? customerId;
  return { ok: true, order: { id, ...content, created_by: createdBy }, requestHash };
}

/** Same key, same order id: a repeat collides on the order's first event. */
function idFromKey(key: string): string {
  return `idem-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** JSON with object keys sorted, so equal payloads hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
