import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { PAYMENT_EVENT_TYPES } from '@orderflow/core';
import { money, orderId, SAFE_MONEY_LIMIT } from './arbitraries.js';
import type { Validity } from './read-requests.js';

/** Arbitraries for `POST /webhooks/payments`: events good and bad, and signatures good and bad. */

export interface WebhookEvent {
  readonly event_id: string;
  readonly type: string;
  /** A literal id, or the n-th existing order. */
  readonly order_id: string | { readonly existing: number };
  readonly created_at: string;
  readonly amount?: number;
  readonly currency?: string;
}

/** Event ids become the `Nats-Msg-Id` header, so the api takes printable ASCII only. */
const eventId = fc.oneof(fc.constantFrom('evt-1', 'evt-2', 'evt-3'), fc.stringMatching(/^[\x21-\x7E]{1,128}$/));

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * RFC 3339 date-times in the forms the schema's `date-time` format takes: `T`/`t`/space,
 * `Z`/`z`/`±hh:mm`/`±hhmm`, any number of fractional digits. Leap seconds and hour-only
 * offsets are left out, and so are years before 100 (`0031-12-31 23:59:59Z`): they are
 * answered with a 500 today (see the known-bug test on webhook date-times).
 */
export const validCreatedAt = fc
  .record({
    at: fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
    separator: fc.constantFrom('T', 't', ' '),
    fraction: fc.stringMatching(/^(\.\d{1,9})?$/),
    zone: fc.oneof(
      fc.constantFrom('Z', 'z', '+00:00', '-00:00'),
      fc
        .tuple(
          fc.constantFrom('+', '-'),
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: 0, max: 59 }),
          fc.boolean(),
        )
        .map(([sign, h, m, colon]) => `${sign}${pad(h)}${colon ? ':' : ''}${pad(m)}`),
    ),
  })
  .map(({ at, separator, fraction, zone }) => {
    const iso = at.toISOString();
    return `${iso.slice(0, 10)}${separator}${iso.slice(11, 19)}${fraction}${zone}`;
  });

const INVALID_CREATED_AT = [
  'yesterday',
  '',
  '2020-13-01T00:00:00Z',
  '2020-02-30T00:00:00Z',
  '2021-02-29T00:00:00Z',
  '2020-01-01T24:00:00Z',
  '2020-01-01',
  '2020-01-01T00:00:00',
  '2020-01-01T00:00:00+24:00',
  '2020-01-01T00:00:00.Z',
  '2020-01-01T23:59:61Z',
];

export const wellFormedEvent: fc.Arbitrary<WebhookEvent> = fc.record(
  {
    event_id: eventId,
    type: fc.constantFrom(...PAYMENT_EVENT_TYPES),
    order_id: fc.oneof(
      fc.nat().map((existing) => ({ existing })),
      orderId,
    ),
    created_at: validCreatedAt,
    amount: money(SAFE_MONEY_LIMIT),
    currency: fc.oneof(fc.constantFrom('USD', 'EUR'), fc.stringMatching(/^[A-Z]{3}$/)),
  },
  { requiredKeys: ['event_id', 'type', 'order_id', 'created_at'] },
);

/** A way to break a well-formed event, and what the api must make of the result. */
export interface Mutation {
  readonly apply: (event: Record<string, unknown>) => void;
  readonly validity: Validity;
}

const refused = (apply: Mutation['apply']): Mutation => ({ apply, validity: 'invalid' });

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom<Mutation>(
    refused((e) => (e.extra = 1)),
    refused((e) => (e.$where = '1')),
    refused((e) => (e['a.b'] = 1)),
    refused((e) => (e.order_id = { $ne: null })),
    refused((e) => delete e.event_id),
    refused((e) => delete e.type),
    refused((e) => delete e.order_id),
    refused((e) => delete e.created_at),
    refused((e) => (e.event_id = '')),
    refused((e) => (e.event_id = 'e'.repeat(129))),
    refused((e) => (e.type = 'payment.refunded')),
    refused((e) => (e.order_id = 'a:b')),
    refused((e) => (e.order_id = 'x'.repeat(65))),
    refused((e) => (e.amount = 1.001)),
    refused((e) => (e.amount = '10.00')),
    refused((e) => (e.amount = 1e13)),
    refused((e) => (e.currency = 'usd')),
  ),
  fc.constantFrom(...INVALID_CREATED_AT).map((value) => refused((e) => (e.created_at = value))),
  // A date-time needs 20 characters; a longer random string might be one.
  fc.string().map((value): Mutation => ({
    apply: (e) => (e.created_at = value),
    validity: value.length < 20 ? 'invalid' : 'either',
  })),
  fc
    .tuple(
      fc.constantFrom('event_id', 'type', 'order_id', 'created_at', 'amount', 'currency'),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .filter(([, value]) => typeof value !== 'string' && typeof value !== 'number')
    .map(([field, value]) => refused((e) => (e[field] = value))),
);

export type WebhookBody =
  | { readonly kind: 'event'; readonly event: WebhookEvent; readonly pretty: boolean }
  | { readonly kind: 'mutated'; readonly event: WebhookEvent; readonly mutation: Mutation }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'oversize'; readonly extra: number };

export const webhookBody: fc.Arbitrary<WebhookBody> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('event' as const), event: wellFormedEvent, pretty: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('mutated' as const), event: wellFormedEvent, mutation: mutations }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 3 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      bytes: fc
        .oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.string().map((s) => new TextEncoder().encode(`{${s}`)),
        )
        .map((a) => Buffer.from(a)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('oversize' as const), extra: fc.integer({ min: 1, max: 4_096 }) }),
  },
);

export type SignatureKind =
  | 'valid'
  | 'valid-uppercase'
  | 'wrong-secret'
  | 'flipped-digit'
  | 'truncated'
  | 'missing'
  | 'sha1'
  | 'random'
  | 'empty'
  | 'prefix-only'
  | 'prefix-case'
  | 'other-body';

export const signatureKind = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<SignatureKind>('valid', 'valid-uppercase') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<SignatureKind>(
      'wrong-secret',
      'flipped-digit',
      'truncated',
      'missing',
      'sha1',
      'random',
      'empty',
      'prefix-only',
      'prefix-case',
      'other-body',
    ),
  },
);

export const signatureIsValid = (kind: SignatureKind) => kind === 'valid' || kind === 'valid-uppercase';

/** The X-Signature header for `raw` under `kind` (undefined: no header). */
export function signatureFor(kind: SignatureKind, raw: Buffer, secret: string): string | undefined {
  const hex = (key: string, data: Buffer | string) => createHmac('sha256', key).update(data).digest('hex');
  const good = hex(secret, raw);
  switch (kind) {
    case 'valid':
      return `sha256=${good}`;
    case 'valid-uppercase':
      return `sha256=${good.toUpperCase()}`;
    case 'wrong-secret':
      return `sha256=${hex(`${secret}x`, raw)}`;
    case 'flipped-digit':
      return `sha256=${good.slice(0, 10)}${good[10] === '0' ? '1' : '0'}${good.slice(11)}`;
    case 'truncated':
      return `sha256=${good.slice(0, 62)}`;
    case 'missing':
      return undefined;
    case 'sha1':
      return `sha1=${createHmac('sha1', secret).update(raw).digest('hex')}`;
    case 'random':
      return `sha256=${hex('random', Buffer.concat([raw, Buffer.from('!')]))}`;
    case 'empty':
      return '';
    case 'prefix-only':
      return 'sha256=';
    case 'prefix-case':
      return `SHA256=${good}`;
    case 'other-body':
      return `sha256=${hex(secret, Buffer.concat([raw, Buffer.from('\n')]))}`;
  }
}

export interface RenderedWebhook {
  readonly raw: Buffer;
  /** What the api must make of the body once the signature matches. */
  readonly validity: Validity | 'not-json';
  /** The event as sent, when it is one. */
  readonly event?: Record<string, unknown>;
}

/** The bytes of a webhook body, with existing-order references resolved by `resolve`. */
export function renderWebhook(
  body: WebhookBody,
  resolve: (ref: WebhookEvent['order_id']) => string,
  maxBodyBytes: number,
): RenderedWebhook {
  switch (body.kind) {
    case 'event':
    case 'mutated': {
      const event: Record<string, unknown> = { ...body.event, order_id: resolve(body.event.order_id) };
      const validity = body.kind === 'mutated' ? body.mutation.validity : 'valid';
      if (body.kind === 'mutated') body.mutation.apply(event);
      const raw = Buffer.from(
        body.kind === 'event' && body.pretty ? JSON.stringify(event, null, 2) : JSON.stringify(event),
      );
      return { raw, validity, event };
    }
    case 'json':
      return { raw: Buffer.from(JSON.stringify(body.value)), validity: 'invalid' };
    case 'bytes': {
      try {
        JSON.parse(body.bytes.toString('utf8'));
      } catch {
        return { raw: body.bytes, validity: 'not-json' };
      }
      return { raw: body.bytes, validity: 'invalid' };
    }
    case 'oversize':
      return { raw: Buffer.from(JSON.stringify({ pad: 'x'.repeat(maxBodyBytes + body.extra) })), validity: 'invalid' };
  }
}
