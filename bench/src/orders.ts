/** Customers the orders are spread over (the risk model looks at each one's recent orders). */
export const CUSTOMERS = 1_000;

/** Above MAX_ORDER_TOTAL (10,000.00): the processor rejects such an order (SPEC §2). */
const REJECTED_TOTAL_MINOR = 1_250_000;

/** The mix of one scenario's orders. */
export interface OrderMix {
  /** Share of priority 1 / 2 / 3 (high / normal / low); omitted priority means normal. */
  readonly lanes?: { readonly high: number; readonly low: number };
  /** Share of orders whose total breaks MAX_ORDER_TOTAL. */
  readonly rejectShare?: number;
}

/** A POST /orders body in the full form of SPEC §3, without `id` (the server assigns it). */
export interface OrderBody {
  customer_id: string;
  items: { sku: string; quantity: number; unit_price: number }[];
  total: number;
  priority?: 1 | 2 | 3;
}

/**
 * Makes valid order bodies: one to three priced items whose sum is the total to the cent,
 * a customer among CUSTOMERS, a lane and an over-limit total as `mix` asks.
 */
export function orderFactory(mix: OrderMix, random: () => number): () => OrderBody {
  return () => {
    const customer = `cust-${String(Math.floor(random() * CUSTOMERS)).padStart(4, '0')}`;
    const reject = random() < (mix.rejectShare ?? 0);
    const items = reject
      ? [{ sku: 'SKU-BULK', quantity: 1, unit_price: REJECTED_TOTAL_MINOR / 100 }]
      : Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
          sku: `SKU-${1 + Math.floor(random() * 500)}`,
          quantity: 1 + Math.floor(random() * 3),
          unit_price: (199 + Math.floor(random() * 4_800)) / 100,
        }));
    const totalMinor = items.reduce((sum, item) => sum + Math.round(item.unit_price * 100) * item.quantity, 0);
    const body: OrderBody = { customer_id: customer, items, total: totalMinor / 100 };
    if (mix.lanes) {
      const draw = random();
      body.priority = draw < mix.lanes.high ? 1 : draw < mix.lanes.high + mix.lanes.low ? 3 : 2;
    }
    return body;
  };
}
