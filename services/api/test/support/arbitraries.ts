import fc from 'fast-check';

/**
 * Arbitraries for create bodies, derived from the accepted shapes of SPEC §3 and the limits
 * of `entry-points/http/schemas.ts`: ids `^[A-Za-z0-9_-]{1,64}$`, text 1..N code points,
 * money with at most two decimals, quantities within ±1e9.
 */

/** Any single code point but U+0000 (a known failure; see the known-bug tests). */
export const codePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => char !== '\u0000');

/** Characters that break naive handling: quotes, escapes, separators, BOM, astral, combining. */
const trickyChar = fc.constantFrom('"', '\\', '/', '\u2028', '\u2029', '\ufeff', '\u{1F600}', '\u0301', '@', '.', '$');

/** Mostly printable ASCII, sometimes anything in Unicode (no U+0000), sometimes tricky. */
export const textChar = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: codePoint },
  { weight: 1, arbitrary: trickyChar },
);

/** Text of min..max code points, often short, sometimes at the upper limit. */
export function text(min: number, max: number, unit: fc.Arbitrary<string> = textChar): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.string({ unit, minLength: min, maxLength: Math.min(max, 24) }) },
    { weight: 1, arbitrary: fc.string({ unit, minLength: Math.max(min, max - 2), maxLength: max }) },
  );
}

/** Ids of the whole pattern; short ones collide on purpose (a repeat is 200 or 409). */
export const orderId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

/** Mostly fresh ids (a unique tail), sometimes any id of the pattern. */
export const freshOrderId = fc.oneof(
  { weight: 1, arbitrary: orderId },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{0,27}$/), fc.uuid()).map(([head, uuid]) => `${head}${uuid}`),
  },
);

/** Money as a decimal with at most two fractional digits, within ±maxAbs. */
export function money(maxAbs: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -maxAbs * 100, max: maxAbs * 100 }).map((minor) => minor / 100) },
    { weight: 2, arbitrary: fc.integer({ min: -10_000, max: 10_000 }).map((minor) => minor / 100) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(0, 0.01, -0.01, 0.07, 0.1, 0.29, 1.1, 19.99, 1_000_000.01, maxAbs, -maxAbs),
    },
  );
}

/**
 * Totals up to ±1e8: larger two-decimal totals are wrongly refused by the api today (see
 * the known-bug test "valid totals up to ±1e9 …"); raise to 1e9 once that is fixed.
 */
export const SAFE_MONEY_LIMIT = 100_000_000;

const quantity = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 100 }) },
  { weight: 1, arbitrary: fc.double({ min: -1e9, max: 1e9, noNaN: true }) },
);

export function item(limit = SAFE_MONEY_LIMIT) {
  return fc.oneof(
    text(1, 128),
    fc.record(
      { sku: text(1, 128), name: text(1, 256), quantity, unit_price: money(limit) },
      { requiredKeys: ['sku', 'quantity'] },
    ),
  );
}

const address = fc.oneof(
  text(1, 500),
  fc.record(
    {
      line1: text(1, 200),
      line2: text(1, 200),
      city: text(1, 100),
      state: text(1, 100),
      postal_code: text(1, 20),
      country: text(1, 100),
    },
    { requiredKeys: [] },
  ),
);

const email = fc.emailAddress().filter((e) => e.length <= 254);
const customer = fc.oneof({ weight: 3, arbitrary: text(1, 254) }, { weight: 1, arbitrary: email });
const currency = fc.oneof(fc.constantFrom('USD', 'EUR', 'JPY'), fc.stringMatching(/^[A-Z]{3}$/));
const priority = fc.constantFrom(1, 2, 3);
const notes = fc.oneof(
  { weight: 6, arbitrary: text(0, 300) },
  { weight: 1, arbitrary: fc.constant('n'.repeat(2_000)) },
);

/** The accepted create shapes: short, client (aliases) and full, plus both aliases at once. */
export function validBody(limit = SAFE_MONEY_LIMIT, withId = true): fc.Arbitrary<Record<string, unknown>> {
  const id = withId ? { id: freshOrderId } : {};
  const short = fc.record({
    customer_id: customer,
    items: fc.array(text(1, 128), { maxLength: 5 }),
    total: money(limit),
  });
  const client = fc.record(
    {
      ...id,
      amount: money(limit),
      items: fc.array(item(limit), { maxLength: 5 }),
      customer,
      address,
      priority,
      notes,
    },
    { requiredKeys: ['amount', 'items', 'customer'] },
  );
  const full = fc.record(
    {
      ...id,
      customer_id: customer,
      customer_email: email,
      user_id: text(1, 128),
      items: fc.array(item(limit), { maxLength: 5 }),
      total: money(limit),
      currency,
      priority,
      address,
      notes,
    },
    { requiredKeys: ['customer_id', 'items', 'total'] },
  );
  const bothAliases = fc
    .record({ who: customer, sum: money(limit), items: fc.array(item(limit), { maxLength: 3 }) })
    .map(({ who, sum, items }) => ({ customer_id: who, customer: who, total: sum, amount: sum, items }));
  return fc.oneof(short, client, full, bothAliases);
}

/** Header values a client may legitimately send: printable ASCII without outer spaces. */
export const userIdHeader = fc
  .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 128 })
  .filter((v) => v.trim() === v && v !== '');
export const idempotencyKey = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('key-1', 'key-2', 'key-3') },
  { weight: 4, arbitrary: fc.stringMatching(/^[\x21-\x7E]{1,255}$/) },
);
