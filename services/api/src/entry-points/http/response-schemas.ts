import { Type, type TSchema } from 'typebox';
import { LANES, ORDER_STATUSES, PAYMENT_EVENT_TYPES, TERMINAL_STATUSES } from '@orderflow/core';
import { ErrorBody, FULL_CREATE_EXAMPLE } from './schemas.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const Status = Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)));
const EVENT_TYPES = [
  'order.created',
  'order.processing',
  'order.payment',
  ...TERMINAL_STATUSES.map((s) => `order.${s}`),
] as const;
const EventType = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));
/** Event data and history details differ per event type: documented in SPEC §4. */
const Details = Type.Object({}, { additionalProperties: true, description: 'depends on the event type' });

/** A real order as the api answers it: created, validated, paid and settled. */
export const ORDER_EXAMPLE = {
  ...FULL_CREATE_EXAMPLE,
  lane: 'normal',
  created_by: 'jane@example.com',
  status: 'completed',
  status_reason: null,
  reasons: [],
  handling: 'standard',
  risk_score: 0.04,
  payment: {
    state: 'captured',
    events: [
      {
        event_id: 'evt_9f1c',
        type: 'payment.captured',
        order_id: 'ord-1042',
        created_at: '2026-11-22T09:00:05.120Z',
        amount_minor: 2500,
        currency: 'EUR',
        applied: true,
      },
    ],
  },
  settle_at: null,
  created_at: '2026-11-22T09:00:00.004Z',
  updated_at: '2026-11-22T09:00:05.331Z',
  version: 4,
  history: [
    { seq: 1, at: '2026-11-22T09:00:00.004Z', type: 'order.created', status: 'pending', details: {} },
    {
      seq: 2,
      at: '2026-11-22T09:00:00.052Z',
      type: 'order.processing',
      status: 'processing',
      details: { handling: 'standard', risk_score: 0.04 },
    },
    {
      seq: 3,
      at: '2026-11-22T09:00:05.127Z',
      type: 'order.payment',
      status: 'processing',
      details: {
        event_id: 'evt_9f1c',
        payment_type: 'payment.captured',
        provider_created_at: '2026-11-22T09:00:05.120Z',
        applied: true,
        reason: 'captured',
        payment_state: 'captured',
        settle_at: '2026-11-22T09:00:05.327Z',
      },
    },
    {
      seq: 4,
      at: '2026-11-22T09:00:05.331Z',
      type: 'order.completed',
      status: 'completed',
      details: { reason: 'payment captured' },
    },
  ],
};

/** An order as the api shows it: money as decimal numbers (SPEC §2). */
export const OrderView = Type.Object(
  {
    id: Type.String(),
    customer_id: Type.String(),
    customer_email: Type.Optional(Type.String()),
    items: Type.Array(
      Type.Object({
        sku: Type.String(),
        name: Type.Optional(Type.String()),
        quantity: Type.Number(),
        unit_price: Type.Optional(Type.Number()),
      }),
    ),
    total: Type.Number(),
    currency: Type.String(),
    priority: Type.Integer({ minimum: 1, maximum: 3 }),
    lane: Type.Union(LANES.map((l) => Type.Literal(l))),
    address: Type.Optional(Type.Union([Type.String(), Type.Record(Type.String(), Type.String())])),
    notes: Type.Optional(Type.String()),
    created_by: Type.String(),
    status: Status,
    status_reason: Nullable(Type.String()),
    reasons: Type.Array(Type.Object({ rule: Type.String(), message: Type.String() })),
    handling: Nullable(Type.Union([Type.Literal('standard'), Type.Literal('priority'), Type.Literal('expedited')])),
    risk_score: Nullable(Type.Number()),
    payment: Type.Object({
      state: Type.Union(['none', 'created', 'authorized', 'captured', 'declined'].map((s) => Type.Literal(s))),
      events: Type.Array(
        Type.Object(
          {
            event_id: Type.String(),
            type: Type.Union(PAYMENT_EVENT_TYPES.map((t) => Type.Literal(t))),
            order_id: Type.String(),
            created_at: Type.String(),
            amount_minor: Type.Optional(Type.Integer()),
            currency: Type.Optional(Type.String()),
            applied: Type.Boolean(),
          },
          { description: 'a provider event recorded while the order was open, in provider time order' },
        ),
      ),
    }),
    settle_at: Nullable(Time),
    created_at: Time,
    updated_at: Time,
    version: Type.Integer({ minimum: 1, description: 'the seq of its last event' }),
    history: Type.Optional(
      Type.Array(
        Type.Object({
          seq: Type.Integer(),
          at: Time,
          type: EventType,
          status: Status,
          details: Details,
        }),
      ),
    ),
  },
  { examples: [ORDER_EXAMPLE] },
);

export const OrderPage = Type.Object({
  orders: Type.Array(OrderView),
  next_cursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page' })),
});

export const OrderEvents = Type.Object({
  order_id: Type.String(),
  events: Type.Array(
    Type.Object({
      id: Type.String({ description: '<order_id>:<seq>' }),
      seq: Type.Integer(),
      type: EventType,
      at: Time,
      data: Details,
    }),
  ),
});

export const OrderNotifications = Type.Object({
  order_id: Type.String(),
  notifications: Type.Array(
    Type.Object({}, { additionalProperties: true, description: 'one notification audit record (SPEC §6)' }),
  ),
});

export const WebhookAccepted = Type.Object({
  status: Type.Literal('accepted'),
  event_id: Type.String(),
  duplicate: Type.Boolean({ description: 'true when this event_id was stored before' }),
});

const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  400: 'the request is not valid: `details` lists each field',
  401: 'X-Signature does not match the body',
  404: 'no such order',
  409: 'the order exists with another payload, or is already final',
  413: 'the body is over MAX_BODY_BYTES',
  415: 'the body is not UTF-8 JSON',
  429: 'too many requests: see Retry-After',
  503: 'the order store is unavailable: see Retry-After',
};

/** The error answers a route may give, each in the one error shape. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [status, Type.Object(ErrorBody.properties, { description: ERROR_MEANINGS[status] })]),
  );
}
