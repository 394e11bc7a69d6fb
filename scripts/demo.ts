/**
 * `npm run demo`: posts a realistic mix of orders to a running system (API_URL, default
 * http://localhost:8080) — every payload shape, the three lanes, two that break business
 * rules, one cancelled at once — and prints how each one ends.
 */
const api = process.env.API_URL ?? 'http://localhost:8080';
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS ?? 90_000);
const TERMINAL = new Set(['completed', 'failed', 'rejected', 'expired', 'cancelled']);
const run = Date.now().toString(36);

interface Sent {
  readonly label: string;
  readonly id: string;
}

const orders: [string, Record<string, unknown>][] = [
  ['short shape', { customer_id: `demo-${run}-1`, items: ['item1', 'item2'], total: 24.9 }],
  ['short shape, low lane', { customer_id: `demo-${run}-2`, items: ['book'], total: 12, priority: 3 }],
  [
    'client shape, high lane',
    {
      id: `demo-${run}-3`,
      amount: 349.99,
      items: ['laptop-sleeve', 'usb-c-hub'],
      customer: 'ann@example.com',
      address: '1 Main St, Springfield',
      priority: 1,
      notes: 'leave at the door',
    },
  ],
  [
    'full form',
    {
      customer_id: `demo-${run}-4`,
      customer_email: 'bob@example.com',
      items: [
        { sku: 'MUG-01', name: 'Mug', quantity: 2, unit_price: 12.5 },
        { sku: 'TEA-07', name: 'Green tea', quantity: 3, unit_price: 8 },
      ],
      total: 49,
      currency: 'EUR',
      address: { line1: '2 High St', city: 'Leeds', country: 'GB' },
    },
  ],
  ['over the maximum total', { customer_id: `demo-${run}-5`, items: ['yacht'], total: 25_000 }],
  [
    'prices do not add up',
    { customer_id: `demo-${run}-6`, items: [{ sku: 'A', quantity: 2, unit_price: 10 }], total: 25 },
  ],
  ['cancelled right away', { customer_id: `demo-${run}-7`, items: ['gift-card'], total: 50 }],
  // A few more ordinary orders, so a provider that answers only some payments shows both ends.
  ...[1, 2, 3, 1, 2].map((priority, i): [string, Record<string, unknown>] => [
    'short shape',
    { customer_id: `demo-${run}-${8 + i}`, items: [`item-${i}`], total: 15 + i, priority },
  ]),
];

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(api + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': 'demo' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function main(): Promise<void> {
  console.log(`posting ${orders.length} orders to ${api} …`);
  const sent: Sent[] = [];
  for (const [label, body] of orders) {
    const order = await post('/orders', body);
    sent.push({ label, id: String(order.id) });
    if (label.startsWith('cancelled')) await post(`/orders/${String(order.id)}/cancel`, { reason: 'demo' });
  }
  const startedMs = Date.now();
  let latest = new Map<string, Record<string, unknown>>();
  while (Date.now() - startedMs < timeoutMs) {
    latest = new Map(
      await Promise.all(
        sent.map(
          async (s) =>
            [s.id, (await (await fetch(`${api}/orders/${s.id}`)).json()) as Record<string, unknown>] as const,
        ),
      ),
    );
    const open = [...latest.values()].filter((o) => !TERMINAL.has(String(o.status))).length;
    process.stdout.write(
      `\r${Math.round((Date.now() - startedMs) / 1000)} s: ${sent.length - open} of ${sent.length} finished`,
    );
    if (open === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  console.log('\n');
  const rows = sent.map((s) => {
    const order = (latest.get(s.id) ?? {}) as { lane?: string; status?: string; status_reason?: string | null };
    return {
      order: s.id.length > 24 ? `${s.id.slice(0, 21)}…` : s.id,
      kind: s.label,
      lane: order.lane ?? '',
      status: order.status ?? '',
      why: order.status_reason ?? '',
    };
  });
  console.table(rows);
  const open = rows.filter((r) => !TERMINAL.has(r.status)).length;
  if (open > 0) {
    console.log(
      `${open} still open: the simulator never answers some payments (PAYMENT_SUCCESS_RATE); they expire after ORDER_TTL_MS.`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
