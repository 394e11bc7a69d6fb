import { Type, type Static } from 'typebox';
import { LANES, ORDER_STATUSES, PAYMENT_EVENT_TYPES } from '@orderflow/core';

/** Ids usable in event ids (`<id>:<seq>`) and subjects (`payment.event.<id>`): no `:`, `.`, spaces or wildcards. */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const Id = Type.String({ pattern: ID_PATTERN, description: 'letters, digits, "_" and "-", at most 64' });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
/** Money as a JSON number with at most two decimals. */
const Money = Type.Number({ minimum: -1e12, maximum: 1e12 });

const Item = Type.Union([
  Text(128),
  Type.Object(
    {
      sku: Text(128),
      name: Type.Optional(Text(256)),
      quantity: Type.Number({ minimum: -1e9, maximum: 1e9 }),
      unit_price: Type.Optional(Money),
    },
    { additionalProperties: false },
  ),
]);

const Address = Type.Union([
  Text(500),
  Type.Object(
    {
      line1: Type.Optional(Text(200)),
      line2: Type.Optional(Text(200)),
      city: Type.Optional(Text(100)),
      state: Type.Optional(Text(100)),
      postal_code: Type.Optional(Text(20)),
      country: Type.Optional(Text(100)),
    },
    { additionalProperties: false },
  ),
]);

/** A create request in the full form; the order it makes is the answer's example. */
export const FULL_CREATE_EXAMPLE = {
  id: 'ord-1042',
  customer_id: 'jane@example.com',
  customer_email: 'jane@example.com',
  items: [{ sku: 'SKU-7', name: 'Espresso beans', quantity: 2, unit_price: 12.5 }],
  total: 25,
  currency: 'EUR',
  priority: 2,
  address: { line1: '1 Main St', city: 'Lyon', country: 'FR' },
  notes: 'leave at the door',
};

/** Every accepted create shape in one strict schema (SPEC §3); aliases are resolved after. */
export const CreateOrderBody = Type.Object(
  {
    id: Type.Optional(Id),
    customer_id: Type.Optional(Text(254)),
    customer: Type.Optional(Text(254)),
    customer_email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    user_id: Type.Optional(Text(128)),
    items: Type.Array(Item, { maxItems: 1_000 }),
    total: Type.Optional(Money),
    amount: Type.Optional(Money),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
    address: Type.Optional(Address),
    notes: Type.Optional(Type.String({ maxLength: 2_000 })),
  },
  {
    additionalProperties: false,
    // The shapes clients send (SPEC §3): minimal, legacy, and the full form.
    examples: [
      { customer_id: 'cust-17', items: ['item1', 'item2'], total: 20 },
      {
        id: 'ord-1042',
        amount: 25,
        items: ['SKU-7'],
        customer: 'jane@example.com',
        address: '1 Main St, Lyon',
        priority: 1,
        notes: 'leave at the door',
      },
      FULL_CREATE_EXAMPLE,
    ],
  },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const CreateOrderHeaders = Type.Object({
  'x-user-id': Type.Optional(Text(128)),
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' })),
});

export const OrderParams = Type.Object({ id: Id }, { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)))),
    customer_id: Type.Optional(Text(254)),
    lane: Type.Optional(Type.Union(LANES.map((l) => Type.Literal(l)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const CancelBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
  Type.Null(),
]);

/** One provider event per webhook (SPEC §5). */
export const PaymentWebhookBody = Type.Object(
  {
    // It becomes a NATS header (Nats-Msg-Id): printable ASCII only.
    event_id: Type.String({ pattern: '^[\\x21-\\x7E]{1,128}$' }),
    type: Type.Union(PAYMENT_EVENT_TYPES.map((t) => Type.Literal(t))),
    order_id: Id,
    created_at: Type.String({ format: 'date-time' }),
    amount: Type.Optional(Money),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  },
  { additionalProperties: false },
);
export type PaymentWebhookBody = Static<typeof PaymentWebhookBody>;

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  request_id: Type.String(),
});
