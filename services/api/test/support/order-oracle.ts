/**
 * What SPEC §3 says the api must answer to a create request, written independently of the
 * api's own schemas and normaliser so that the two can disagree.
 */

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;
const CURRENCY = /^[A-Z]{3}$/;
/** The `email` format of ajv-formats, which the spec's "e-mail" means for `customer_email`. */
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const MONEY_LIMIT = 1e12;
const QUANTITY_LIMIT = 1e9;

/** Marks a field whose presence the spec leaves open (an identifier with `@` that is no e-mail). */
export const EITHER = Symbol('either');

export interface ExpectedItem {
  readonly sku: string;
  readonly quantity: number;
  readonly name?: string;
  readonly unit_price?: number;
}

export interface ExpectedOrder {
  /** Undefined when the api picks the id. */
  readonly id: string | undefined;
  readonly customer_id: string;
  readonly customer_email: string | undefined | typeof EITHER;
  readonly items: readonly ExpectedItem[];
  readonly total: number;
  readonly currency: string;
  readonly priority: number;
  readonly lane: 'high' | 'normal' | 'low';
  readonly address?: unknown;
  readonly notes?: string;
  readonly created_by: string;
}

export type Refusal = 'parser' | 'hostile' | 'schema';

export type CreateVerdict =
  | { readonly valid: true; readonly order: ExpectedOrder }
  | { readonly valid: false; readonly refusal: Refusal; readonly fields: readonly string[] };

export interface CreateHeaders {
  readonly userId?: string | undefined;
  readonly idempotencyKey?: string | undefined;
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
const codePoints = (text: string) => [...text].length;
const isText = (value: unknown, max: number, min = 1): value is string =>
  typeof value === 'string' && codePoints(value) >= min && codePoints(value) <= max;

/** True when a decimal with at most two fractional digits is exactly this number. */
export function hasAtMostTwoDecimals(value: number): boolean {
  return Number.isFinite(value) && Math.round(value * 100) / 100 === value;
}

const isMoney = (value: unknown): value is number =>
  typeof value === 'number' && Math.abs(value) <= MONEY_LIMIT && hasAtMostTwoDecimals(value);

/** Every object and array in `value` with its path, without recursion (bodies nest thousands deep). */
function* nodes(value: unknown): Generator<[path: string, node: Obj | unknown[]]> {
  const stack: [string, unknown][] = [['', value]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [path, node] = next;
    if (Array.isArray(node)) {
      yield [path, node];
      node.forEach((item, i) => stack.push([`${path}[${i}]`, item]));
    } else if (isObject(node)) {
      yield [path, node];
      for (const [key, child] of Object.entries(node)) stack.push([path ? `${path}.${key}` : key, child]);
    }
  }
}

/** Fastify's JSON parser refuses `__proto__` keys and `constructor.prototype` anywhere. */
export function parserRefuses(value: unknown): boolean {
  for (const [, node] of nodes(value)) {
    if (Array.isArray(node)) continue;
    if (Object.hasOwn(node, '__proto__')) return true;
    const ctor = node.constructor;
    if (
      Object.hasOwn(node, 'constructor') &&
      ctor !== null &&
      typeof ctor === 'object' &&
      Object.hasOwn(ctor, 'prototype')
    )
      return true;
  }
  return false;
}

/** Paths of keys that could act as operators or dotted paths (`$…`, `a.b`), at any depth. */
export function hostileKeyPaths(value: unknown): string[] {
  const found: string[] = [];
  for (const [path, node] of nodes(value)) {
    if (Array.isArray(node)) continue;
    for (const key of Object.keys(node)) {
      if (key.startsWith('$') || key.includes('.')) found.push(path ? `${path}.${key}` : key);
    }
  }
  return found;
}

/** Text that cannot be stored and read back exactly: U+0000, or a lone surrogate (not Unicode). */
function unstorable(text: string): boolean {
  return text.includes('\u0000') || /\p{Surrogate}/u.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
}

/** Paths of strings and keys the api must refuse as unstorable, at any depth. */
export function unstorableTextPaths(value: unknown): string[] {
  if (typeof value === 'string') return unstorable(value) ? ['(body)'] : [];
  const found: string[] = [];
  for (const [path, node] of nodes(value)) {
    const entries: [string, unknown][] = Array.isArray(node)
      ? node.map((item, i) => [`${path}[${i}]`, item])
      : Object.entries(node).map(([key, child]) => [path ? `${path}.${key}` : key, child]);
    for (const [childPath, child] of entries) {
      const key = childPath.slice(path.length).replace(/^\./, '');
      if (!Array.isArray(node) && unstorable(key)) found.push(childPath);
      else if (typeof child === 'string' && unstorable(child)) found.push(childPath);
    }
  }
  return found;
}

const BODY_FIELDS = new Set([
  'id',
  'customer_id',
  'customer',
  'customer_email',
  'user_id',
  'items',
  'total',
  'amount',
  'currency',
  'priority',
  'address',
  'notes',
]);
const ITEM_FIELDS = new Set(['sku', 'name', 'quantity', 'unit_price']);
const ADDRESS_LIMITS: Readonly<Record<string, number>> = {
  line1: 200,
  line2: 200,
  city: 100,
  state: 100,
  postal_code: 20,
  country: 100,
};

function itemProblems(item: unknown, field: string): string[] {
  if (typeof item === 'string') return isText(item, 128) ? [] : [field];
  if (!isObject(item)) return [field];
  const problems = Object.keys(item)
    .filter((key) => !ITEM_FIELDS.has(key))
    .map((key) => `${field}.${key}`);
  if (!isText(item.sku, 128)) problems.push(`${field}.sku`);
  if (item.name !== undefined && !isText(item.name, 256)) problems.push(`${field}.name`);
  const quantity = item.quantity;
  if (typeof quantity !== 'number' || Math.abs(quantity) > QUANTITY_LIMIT) problems.push(`${field}.quantity`);
  if (item.unit_price !== undefined && !isMoney(item.unit_price)) problems.push(`${field}.unit_price`);
  return problems;
}

function addressProblems(address: unknown): string[] {
  if (typeof address === 'string') return isText(address, 500) ? [] : ['address'];
  if (!isObject(address)) return ['address'];
  return Object.entries(address)
    .filter(([key, value]) => ADDRESS_LIMITS[key] === undefined || !isText(value, ADDRESS_LIMITS[key]))
    .map(([key]) => `address.${key}`);
}

/** The fields of a (parsed) create body that break the schema or the alias rules. */
function schemaProblems(body: Obj, headers: CreateHeaders): string[] {
  const problems = Object.keys(body)
    .filter((key) => !BODY_FIELDS.has(key))
    .map((key) => key);
  const check = (field: string, ok: boolean) => (ok ? undefined : problems.push(field));
  const optional = (field: string, ok: (value: unknown) => boolean) =>
    body[field] === undefined ? undefined : check(field, ok(body[field]));
  optional('id', (v) => typeof v === 'string' && ID_PATTERN.test(v));
  optional('customer_id', (v) => isText(v, 254));
  optional('customer', (v) => isText(v, 254));
  optional('customer_email', (v) => typeof v === 'string' && codePoints(v) <= 254 && EMAIL.test(v));
  optional('user_id', (v) => isText(v, 128));
  optional('total', isMoney);
  optional('amount', isMoney);
  optional('currency', (v) => typeof v === 'string' && CURRENCY.test(v));
  optional('priority', (v) => v === 1 || v === 2 || v === 3);
  optional('notes', (v) => isText(v, 2_000, 0));
  if (body.address !== undefined) problems.push(...addressProblems(body.address));
  if (!Array.isArray(body.items) || body.items.length > 1_000) problems.push('items');
  else body.items.forEach((item, i) => problems.push(...itemProblems(item, `items[${i}]`)));
  if (body.customer_id === undefined && body.customer === undefined) problems.push('customer_id');
  if (body.customer_id !== undefined && body.customer !== undefined && body.customer_id !== body.customer)
    problems.push('customer');
  if (body.total === undefined && body.amount === undefined) problems.push('total');
  if (body.total !== undefined && body.amount !== undefined && body.total !== body.amount) problems.push('amount');
  if (headers.userId !== undefined && !isText(headers.userId, 128)) problems.push('x-user-id');
  if (headers.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(headers.idempotencyKey))
    problems.push('idempotency-key');
  return problems;
}

/** The spec's verdict on a parsed create body: refused (and why), or the order it must become. */
export function judgeCreate(body: unknown, headers: CreateHeaders = {}): CreateVerdict {
  if (parserRefuses(body)) return { valid: false, refusal: 'parser', fields: [] };
  const hostile = hostileKeyPaths(body);
  if (hostile.length > 0) return { valid: false, refusal: 'hostile', fields: hostile };
  const unstorableText = unstorableTextPaths(body);
  if (unstorableText.length > 0) return { valid: false, refusal: 'schema', fields: unstorableText };
  if (!isObject(body)) return { valid: false, refusal: 'schema', fields: ['(body)'] };
  const problems = schemaProblems(body, headers);
  if (problems.length > 0) return { valid: false, refusal: 'schema', fields: problems };

  const customerId = (body.customer_id ?? body.customer) as string;
  const priority = (body.priority ?? 2) as number;
  const derivedEmail = EMAIL.test(customerId) ? customerId : customerId.includes('@') ? EITHER : undefined;
  const items = (body.items as unknown[]).map((item): ExpectedItem => {
    if (typeof item === 'string') return { sku: item, quantity: 1 };
    const { sku, name, quantity, unit_price } = item as ExpectedItem;
    return {
      sku,
      quantity,
      ...(name === undefined ? {} : { name }),
      ...(unit_price === undefined ? {} : { unit_price }),
    };
  });
  return {
    valid: true,
    order: {
      id: body.id as string | undefined,
      customer_id: customerId,
      customer_email: (body.customer_email as string | undefined) ?? derivedEmail,
      items,
      total: (body.total ?? body.amount) as number,
      currency: (body.currency as string | undefined) ?? 'USD',
      priority,
      lane: priority === 1 ? 'high' : priority === 3 ? 'low' : 'normal',
      ...(body.address === undefined ? {} : { address: body.address }),
      ...(body.notes === undefined ? {} : { notes: body.notes as string }),
      created_by: headers.userId ?? (body.user_id as string | undefined) ?? customerId,
    },
  };
}

/** JSON with sorted keys and without `-0`: equal orders give equal text whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined && typeof v !== 'symbol')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What decides "same payload" for an idempotent repeat: everything but `created_by`. */
export function contentOf(order: ExpectedOrder): string {
  const { created_by: _by, id: _id, customer_email, ...content } = order;
  return canonical({ ...content, customer_email: customer_email === EITHER ? '(derived)' : customer_email });
}

/** The first way `actual` (an order as the api shows it) differs from `expected`, if any. */
export function orderMismatch(expected: ExpectedOrder, actual: any): string | undefined {
  if (!isObject(actual)) return 'the answer is not an order object';
  if (typeof actual.id !== 'string' || !ID_PATTERN.test(actual.id)) return `id ${JSON.stringify(actual.id)}`;
  const fields: [string, unknown][] = [
    ['customer_id', expected.customer_id],
    ['items', expected.items],
    ['total', expected.total],
    ['currency', expected.currency],
    ['priority', expected.priority],
    ['lane', expected.lane],
    ['address', expected.address],
    ['notes', expected.notes],
    ['created_by', expected.created_by],
  ];
  if (expected.id !== undefined) fields.push(['id', expected.id]);
  if (expected.customer_email !== EITHER) fields.push(['customer_email', expected.customer_email]);
  for (const [field, want] of fields) {
    if (canonical(actual[field]) !== canonical(want)) {
      return `${field}: expected ${canonical(want)}, got ${canonical(actual[field])}`;
    }
  }
  return undefined;
}
