import fc from 'fast-check';
import { text, validBody } from './arbitraries.js';
import { hostileKeyPaths, parserRefuses } from './order-oracle.js';

/** Arbitraries for create bodies that must be refused, or that probe the edges of the accepted ones. */

const BODY_FIELDS = [
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
] as const;

/** Arbitrary JSON, and objects built from the real field names with arbitrary values. */
export const jsonGarbage = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.oneof(fc.constantFrom(...BODY_FIELDS), fc.string()), fc.jsonValue({ maxDepth: 3 }), {
    maxKeys: 8,
  }),
);

type JsonKind = 'string' | 'number' | 'integer' | 'array' | 'object' | 'item' | 'address';

/** Where a wrongly typed value goes, and what the schema allows there. */
const TYPED_FIELDS: readonly (readonly [path: string, kind: JsonKind])[] = [
  ['id', 'string'],
  ['customer_id', 'string'],
  ['customer', 'string'],
  ['customer_email', 'string'],
  ['user_id', 'string'],
  ['items', 'array'],
  ['items[0]', 'item'],
  ['items[0].sku', 'string'],
  ['items[0].name', 'string'],
  ['items[0].quantity', 'number'],
  ['items[0].unit_price', 'number'],
  ['total', 'number'],
  ['amount', 'number'],
  ['currency', 'string'],
  ['priority', 'integer'],
  ['address', 'address'],
  ['address.city', 'string'],
  ['notes', 'string'],
];

const ofType = {
  string: fc.string(),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  numericString: fc.constantFrom('10.00', '1', '0', '-1', '1e3', 'NaN', ''),
};

/** A value of a JSON type the field does not allow. */
function wrongValueFor(kind: JsonKind): fc.Arbitrary<unknown> {
  const allowedIn: Readonly<Record<JsonKind, readonly (keyof typeof ofType)[]>> = {
    string: ['number', 'boolean', 'null', 'array', 'object'],
    number: ['numericString', 'string', 'boolean', 'null', 'array', 'object'],
    integer: ['numericString', 'boolean', 'null', 'array', 'object'],
    array: ['string', 'number', 'boolean', 'null', 'object'],
    object: ['string', 'number', 'boolean', 'null', 'array'],
    item: ['number', 'boolean', 'null', 'array'],
    address: ['number', 'boolean', 'null', 'array'],
  };
  const wrong = fc.constantFrom(...allowedIn[kind]).chain((type) => ofType[type] as fc.Arbitrary<unknown>);
  // A fractional or out-of-range priority is a number of the wrong kind.
  return kind === 'integer' ? fc.oneof(wrong, fc.constantFrom(0, 4, 1.5, -1, 2.000001)) : wrong;
}

/** A valid body with one field (possibly nested) replaced by a value of the wrong type. */
export const wronglyTyped = fc
  .record({
    body: validBody(undefined, false),
    sku: text(1, 16),
    target: fc.constantFrom(...TYPED_FIELDS),
  })
  .chain(({ body, sku, target }) =>
    wrongValueFor(target[1]).map((value) => {
      const copy: Record<string, any> = structuredClone(body);
      const [path] = target;
      if (path.startsWith('items[0].')) {
        copy.items = [{ sku, quantity: 1 }, ...(copy.items as unknown[])];
        copy.items[0][path.slice('items[0].'.length)] = value;
      } else if (path === 'items[0]') copy.items = [value, ...(copy.items as unknown[])];
      else if (path === 'address.city') copy.address = { city: value };
      else copy[path] = value;
      return { body: copy, field: path };
    }),
  )
  // Only the wrong type: a hostile key inside the wrong value would be refused first.
  .filter(({ body }) => hostileKeyPaths(body).length === 0 && !parserRefuses(body));

/** Keys that name operators, paths or prototype members. */
export const hostileKey = fc.oneof(
  fc.constantFrom('$where', '$ne', '$gt', '$set', '$expr', '$or', '$', '.', 'a.b', '$.', '__proto__'),
  fc.constantFrom('constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__', 'valueOf'),
  fc.string({ maxLength: 8 }).map((s) => `$${s}`),
  fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map(([a, b]) => `${a}.${b}`),
);

/** Sets `key` as an own property, even `__proto__`, so JSON.stringify writes it. */
function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** `{[key]: value}` wrapped in `depth` levels of arrays and objects. */
function buried(key: string, value: unknown, wrappers: readonly boolean[]): unknown {
  return wrappers.reduce<unknown>((inner, asArray) => (asArray ? [inner] : { x: inner }), withKey({}, key, value));
}

/** A valid body with a hostile key injected at the top, in an item, in the address or buried deep in a value. */
export const withHostileKey = fc
  .record({
    body: validBody(undefined, false),
    key: hostileKey,
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ prototype: { polluted: true } })),
    where: fc.constantFrom('top', 'item', 'address', 'value-of-customer', 'buried-in-items', 'buried-in-notes'),
    wrappers: fc.array(fc.boolean(), { maxLength: 30 }),
  })
  .map(({ body, key, value, where, wrappers }) => {
    const copy: Record<string, any> = structuredClone(body);
    if (where === 'top') withKey(copy, key, value);
    else if (where === 'item') copy.items = [withKey({ sku: 'a', quantity: 1 }, key, value)];
    else if (where === 'address') copy.address = withKey({ city: 'x' }, key, value);
    else if (where === 'value-of-customer') copy.customer_id = withKey({}, key, value);
    else if (where === 'buried-in-items') copy.items = [...(copy.items as unknown[]), buried(key, value, wrappers)];
    else copy.notes = buried(key, value, wrappers);
    return copy;
  });

/** `depth` levels of arrays, objects or both around `1`, as the body or inside a field. */
export function nested(depth: fc.Arbitrary<number>) {
  return fc
    .record({
      depth,
      shape: fc.constantFrom('array', 'object', 'mixed'),
      place: fc.constantFrom('body', 'notes', 'items', 'customer_id', 'address', 'item'),
    })
    .map(({ depth, shape, place }) => {
      let open = '';
      let close = '';
      // The leaf is written as text: JSON.stringify would recurse as deep as the value.
      for (let level = 0; level < depth; level++) {
        const asArray = shape === 'array' || (shape === 'mixed' && level % 2 === 0);
        open += asArray ? '[' : '{"a":';
        close = (asArray ? ']' : '}') + close;
      }
      const value = `${open}1${close}`;
      const valid = { customer_id: 'deep', items: ['a'], total: 1 };
      if (place === 'body') return value;
      if (place === 'item') return JSON.stringify({ ...valid, items: ['MARK'] }).replace('"MARK"', value);
      return JSON.stringify({ ...valid, [place]: 'MARK' }).replace('"MARK"', value);
    });
}

/**
 * JSON nested 1..200 (sometimes up to 1,000) levels deep. Deeper arrays are a 500 today
 * (see the known-bug test "JSON nested thousands of levels deep …").
 */
export const deeplyNested = nested(
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 200 }) }, fc.integer({ min: 200, max: 1_000 })),
);

/** Fields that take text, with how to place a string there. */
const STRING_FIELDS = [
  'notes',
  'customer_id',
  'customer',
  'user_id',
  'item',
  'sku',
  'name',
  'address',
  'city',
] as const;

/** A valid body with one text field `length` times one (1–4 byte, or escaped) character long. */
export function hugeString(maxBodyBytes: number) {
  return fc
    .record({
      field: fc.constantFrom(...STRING_FIELDS),
      char: fc.constantFrom('x', 'é', '€', '\u{1F600}', '"', '\\', '\u0001'),
      length: fc.oneof(
        fc.integer({ min: 0, max: 2 * maxBodyBytes }),
        fc
          .constantFrom(128, 129, 254, 255, 256, 257, 500, 501, 2_000, 2_001)
          .chain((n) => fc.integer({ min: n - 1, max: n })),
        fc.integer({ min: maxBodyBytes - 120, max: maxBodyBytes + 20 }),
      ),
    })
    .map(({ field, char, length }) => {
      const long = char.repeat(length);
      const body: Record<string, unknown> = { customer_id: 'huge', items: ['a'], total: 1 };
      if (field === 'item') body.items = [long];
      else if (field === 'sku') body.items = [{ sku: long, quantity: 1 }];
      else if (field === 'name') body.items = [{ sku: 's', name: long, quantity: 1 }];
      else if (field === 'city') body.address = { city: long };
      else body[field] = long;
      return body;
    });
}
