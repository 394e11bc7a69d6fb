import fc from 'fast-check';
import { SAFE_MONEY_LIMIT, validBody } from './arbitraries.js';

/** Byte-level arbitraries: invalid UTF-8, foreign encodings and content types, hostile header lines. */

/** Ill-formed UTF-8: stray continuations, overlongs, surrogates, beyond U+10FFFF, truncations. */
const ILL_FORMED_UTF8: readonly (readonly number[])[] = [
  [0x80],
  [0xbf],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xc2],
  [0xe0, 0x80, 0xaf],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf0, 0x8f, 0xbf, 0xbf],
  [0xf0, 0x9f, 0x98],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
];

const MARK = '\uE000';
const asciiText = fc.string({ unit: 'grapheme-ascii', maxLength: 12 });

/** A valid body whose text field (or the JSON around it) carries ill-formed UTF-8 bytes. */
export const invalidUtf8Body = fc
  .record({
    field: fc.constantFrom('notes', 'customer_id', 'item', 'address', 'between-tokens'),
    bytes: fc.oneof(
      fc.constantFrom(...ILL_FORMED_UTF8),
      fc.uint8Array({ minLength: 1, maxLength: 6 }).map((a) => [...a].map((b) => b | 0x80)),
    ),
    prefix: asciiText,
    suffix: asciiText,
  })
  .map(({ field, bytes, prefix, suffix }) => {
    const value = `${prefix}${MARK}${suffix}`;
    const body: Record<string, unknown> = { customer_id: 'utf8', items: ['a'], total: 1 };
    if (field === 'item') body.items = [value];
    else if (field !== 'between-tokens') body[field] = value;
    let json = JSON.stringify(body);
    if (field === 'between-tokens') json = json.replace(',"items"', `,${MARK}"items"`);
    const [before = '', after = ''] = json.split(MARK);
    return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
  });

export type Encoding = 'utf8' | 'latin1' | 'utf16le' | 'form' | 'multipart';

/** Content types the api must read as JSON (whatever charset they claim), with how the client encoded the body. */
const JSON_TYPES: readonly (readonly [string, Encoding])[] = [
  ['application/json', 'utf8'],
  ['application/json; charset=utf-8', 'utf8'],
  ['APPLICATION/JSON', 'utf8'],
  ['Application/Json; Charset=UTF-8', 'utf8'],
  ['application/json;charset=utf-8;foo=bar', 'utf8'],
  ['application/json; charset=latin1', 'latin1'],
  ['application/json; charset=iso-8859-1', 'latin1'],
  ['application/json; charset=utf-16', 'utf16le'],
];

/** Content types that are not JSON: 415 (SPEC §3). */
const OTHER_TYPES: readonly (readonly [string | undefined, Encoding])[] = [
  [undefined, 'utf8'],
  ['text/plain', 'utf8'],
  ['text/plain; charset=utf-8', 'utf8'],
  ['application/x-www-form-urlencoded', 'form'],
  ['multipart/form-data; boundary=XyZ', 'multipart'],
  ['text/json', 'utf8'],
  ['application/vnd.api+json', 'utf8'],
  ['application/ld+json', 'utf8'],
  ['application/json-patch+json', 'utf8'],
  ['application/jsonx', 'utf8'],
  ['application/xml', 'utf8'],
  ['text/html', 'utf8'],
  ['application/octet-stream', 'utf8'],
  ['application/json, text/plain', 'utf8'],
  ['image/png', 'utf8'],
  ['*/*', 'utf8'],
];

const token = fc.stringMatching(/^[a-z][a-z0-9.+-]{0,15}$/);

export interface ContentTypeCase {
  readonly contentType: string | undefined;
  readonly json: boolean;
  readonly body: Buffer;
}

function encode(body: Record<string, unknown>, encoding: Encoding): Buffer {
  const json = JSON.stringify(body);
  if (encoding === 'form') {
    return Buffer.from(
      new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, JSON.stringify(v)])).toString(),
    );
  }
  if (encoding === 'multipart') {
    const parts = Object.entries(body).map(
      ([k, v]) => `--XyZ\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${JSON.stringify(v)}\r\n`,
    );
    return Buffer.from(`${parts.join('')}--XyZ--\r\n`);
  }
  return Buffer.from(json, encoding);
}

/** A valid order body sent under a JSON or a non-JSON content type, encoded as that type claims. */
export const contentTypeCase: fc.Arbitrary<ContentTypeCase> = fc
  .record({
    body: validBody(SAFE_MONEY_LIMIT, false),
    type: fc.oneof(
      fc.constantFrom(...JSON_TYPES).map(([contentType, encoding]) => ({ contentType, encoding, json: true })),
      fc.constantFrom(...OTHER_TYPES).map(([contentType, encoding]) => ({ contentType, encoding, json: false })),
      fc
        .tuple(token, token)
        .filter(([type, sub]) => `${type}/${sub}` !== 'application/json')
        .map(([type, sub]): { contentType: string; encoding: Encoding; json: boolean } => ({
          contentType: `${type}/${sub}`,
          encoding: 'utf8',
          json: false,
        })),
    ),
  })
  .map(({ body, type }) => ({ contentType: type.contentType, json: type.json, body: encode(body, type.encoding) }));

/** Characters for header values: mostly printable, plus CR, LF, NUL, other controls and obs-text. */
const headerChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '\0', '\t', ' ', '\x7f', '\x01', '\x0b', '\x1b') },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)) },
);

/** Attempts to add headers, smuggle a second request or fold a header line. */
const INJECTIONS = [
  'a\r\nX-Injected: yes',
  'a\nX-Injected: yes',
  'a\rX-Injected: yes',
  'a\r\n\r\nGET /health HTTP/1.1\r\nHost: x',
  'a\r\n b',
  'a\r\n\tb',
  'a\0b',
  '',
  ' ',
];

export interface HeaderCase {
  readonly name: string;
  /** Latin-1 text, written byte for byte. */
  readonly value: string;
  readonly duplicate: boolean;
}

/** A hostile value for X-User-Id or Idempotency-Key, sometimes very long, sometimes sent twice. */
export const headerCase: fc.Arbitrary<HeaderCase> = fc.record({
  name: fc.constantFrom('X-User-Id', 'x-user-id', 'X-USER-ID', 'Idempotency-Key'),
  value: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: headerChar, maxLength: 64 }) },
    { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('a', '\xe9'),
          fc.oneof(fc.integer({ min: 100, max: 300 }), fc.integer({ min: 300, max: 20_000 })),
        )
        .map(([char, length]) => char.repeat(length)),
    },
  ),
  duplicate: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** What Node makes of one header value that reached the api intact: the value without outer blanks. */
export function cleanHeaderValue(value: string): string | undefined {
  return /[\r\n\0]/.test(value) ? undefined : value.replace(/^[ \t]+|[ \t]+$/g, '');
}
