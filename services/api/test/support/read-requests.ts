import fc from 'fast-check';
import { LANES, ORDER_STATUSES } from '@orderflow/core';
import { codePoint, text } from './arbitraries.js';
import { ID_PATTERN } from './order-oracle.js';

/** Arbitraries and the spec's verdicts for `GET /orders` query strings and `/orders/{id}` paths. */

export type Validity = 'valid' | 'invalid' | 'either';

export interface QueryParam {
  readonly key: string;
  /** Undefined: the key is sent without `=`. */
  readonly value: string | undefined;
  /** For cursors: whether this is one the api could have issued. */
  readonly cursor?: Validity;
}

const KNOWN_KEYS = new Set(['status', 'customer_id', 'lane', 'limit', 'cursor']);
const queryText = (max: number) =>
  fc.string({ unit: fc.oneof(fc.string({ maxLength: 1, minLength: 1 }), codePoint), maxLength: max });
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const NOT_DATES = ['not a date', '', '2020-13-45T99:99:99Z', 'yesterday'];

const cursorParam: fc.Arbitrary<QueryParam> = fc.oneof(
  fc
    .tuple(fc.date({ noInvalidDate: true }), text(1, 64))
    .map(([at, id]) => ({ key: 'cursor', value: base64url([at.toISOString(), id]), cursor: 'valid' as const })),
  fc
    .oneof(
      fc.constant([]),
      fc.date({ noInvalidDate: true }).map((d) => [d.toISOString()]),
      fc.tuple(fc.constantFrom(...NOT_DATES), fc.string()),
      fc.tuple(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.jsonValue().filter((v) => typeof v !== 'string'),
      ),
      fc.tuple(fc.integer(), fc.string()),
      fc.constant({ $gt: '' }),
      fc.constant([{ $gt: '' }, { $ne: null }]),
    )
    .map((value) => ({ key: 'cursor', value: base64url(value), cursor: 'invalid' as const })),
  queryText(600).map((value) => ({ key: 'cursor', value, cursor: 'either' as const })),
);

const LIMITS = [
  '1',
  '50',
  '200',
  '201',
  '0',
  '-1',
  '1.5',
  '1e2',
  ' 5',
  '0x10',
  'NaN',
  'Infinity',
  '',
  '99999999999999999999',
];

/** One query parameter: a known filter with a good or bad value, an operator-looking key, or anything. */
export const queryParam: fc.Arbitrary<QueryParam> = fc.oneof(
  fc.oneof(fc.constantFrom(...ORDER_STATUSES), queryText(12)).map((value) => ({ key: 'status', value })),
  fc.oneof(fc.constantFrom(...LANES), queryText(12)).map((value) => ({ key: 'lane', value })),
  fc.oneof(text(1, 254), fc.constant('huge')).map((value) => ({ key: 'customer_id', value })),
  fc
    .oneof(fc.constantFrom(...LIMITS), fc.integer({ min: -1_000, max: 1_000 }).map(String), queryText(8))
    .map((value) => ({ key: 'limit', value })),
  cursorParam,
  fc
    .tuple(
      fc.constantFrom(
        'customer_id[$ne]',
        'status[$gt]',
        '$where',
        'customer_id.$ne',
        'status[]',
        'limit[$gt]',
        '$or[0][status]',
      ),
      fc.oneof(fc.constant('x'), fc.constant(''), queryText(8)),
    )
    .map(([key, value]) => ({ key, value })),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'Status', 'LIMIT').map((key) => ({ key, value: 'x' })),
  fc
    .tuple(
      queryText(12).filter((k) => k !== ''),
      fc.option(queryText(12), { nil: undefined }),
    )
    .map(([key, value]) => ({ key, value })),
  fc.constantFrom('status', 'lane', 'limit', 'cursor', 'customer_id').map((key) => ({ key, value: undefined })),
);

export function queryString(params: readonly QueryParam[]): string {
  const parts = params.map(({ key, value }) =>
    value === undefined ? encodeURIComponent(key) : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
  );
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function limitValidity(value: string): Validity {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !Number.isInteger(n) || n < 1 || n > 200) return 'invalid';
  // Query strings are coerced ("1e2" is 100); only the plain form is certainly accepted.
  return /^[1-9]\d*$/.test(value) ? 'valid' : 'either';
}

function valueValidity(param: QueryParam): Validity {
  const value = param.value ?? '';
  const length = [...value].length;
  switch (param.key) {
    case 'status':
      return (ORDER_STATUSES as readonly string[]).includes(value) ? 'valid' : 'invalid';
    case 'lane':
      return (LANES as readonly string[]).includes(value) ? 'valid' : 'invalid';
    case 'customer_id':
      return length >= 1 && length <= 254 ? 'valid' : 'invalid';
    case 'limit':
      return limitValidity(value);
    default:
      return length < 1 || length > 512 ? 'invalid' : (param.cursor ?? 'either');
  }
}

/** Unknown or repeated keys and bad values are 400; the rest is a page of orders. */
export function judgeQuery(params: readonly QueryParam[]): Validity {
  const seen = new Set<string>();
  let verdict: Validity = 'valid';
  for (const param of params) {
    if (!KNOWN_KEYS.has(param.key) || seen.has(param.key)) return 'invalid';
    seen.add(param.key);
    const validity = valueValidity(param);
    if (validity === 'invalid') return 'invalid';
    if (validity === 'either') verdict = 'either';
  }
  return verdict;
}

export type OrderRoute = 'get' | 'events' | 'notifications' | 'cancel';

export interface PathCase {
  /** A literal id, or the n-th existing order. */
  readonly id: string | { readonly existing: number };
  readonly route: OrderRoute;
  /** For cancel: the JSON body, if any. */
  readonly cancelBody?: unknown;
}

const ODD_IDS = [
  '.',
  '..',
  '%',
  '?',
  '#',
  ' ',
  '/',
  'a/b',
  '..%2f',
  '%2e',
  'ORDERS',
  '\u0000',
  '\u{1F600}',
  'a:1',
  'a.b',
  '*',
  '>',
];

export const pathCase: fc.Arbitrary<PathCase> = fc.record(
  {
    id: fc.oneof(
      fc.stringMatching(ID_PATTERN),
      fc.nat().map((existing) => ({ existing })),
      fc.string({
        unit: fc.oneof(
          fc.string({ minLength: 1, maxLength: 1 }),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        ),
        minLength: 1,
        maxLength: 40,
      }),
      fc.constantFrom(...ODD_IDS),
    ),
    route: fc.constantFrom<OrderRoute>('get', 'events', 'notifications', 'cancel'),
    cancelBody: fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.record({ reason: fc.string({ maxLength: 500 }) }),
      fc.record({ reason: fc.string({ minLength: 501, maxLength: 520 }) }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: ['id', 'route'] },
);

/** Whether a cancel body is one the schema takes: absent, null, or `{reason?}` of at most 500 characters. */
export function cancelBodyValid(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body !== 'object' || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  const reason = (body as { reason?: unknown }).reason;
  return (
    keys.every((k) => k === 'reason') &&
    (reason === undefined || (typeof reason === 'string' && [...reason].length <= 500))
  );
}
