import { Type, type Static } from 'typebox';
import { ORDER_STATUSES } from '@orderflow/core';

export const StreamHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ pattern: '^[0-9]{1,9}$', description: 'the seq of the last event received: resume after it' }),
  ),
});
export type StreamHeaders = Static<typeof StreamHeaders>;

const STATUS_LIST = `^(${ORDER_STATUSES.join('|')})(,(${ORDER_STATUSES.join('|')}))*$`;

export const FeedQuery = Type.Object(
  {
    status: Type.Optional(
      Type.String({
        pattern: STATUS_LIST,
        maxLength: 200,
        description: 'only changes to these statuses, comma-separated (e.g. `completed,failed`)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type FeedQuery = Static<typeof FeedQuery>;

/** A stream of one order as a client reads it (heartbeat comments left out). */
export const EVENT_STREAM_EXAMPLE = [
  'retry: 3000',
  '',
  'id: 1',
  'event: order.created',
  'data: {"id":"ord-1042:1","seq":1,"type":"order.created","at":"2026-11-22T09:00:00.103Z","data":{"order":{"id":"ord-1042","customer_id":"jane@example.com","customer_email":"jane@example.com","items":[{"sku":"SKU-7","name":"Espresso beans","quantity":2,"unit_price_minor":1250}],"total_minor":2500,"currency":"EUR","priority":2,"lane":"normal","address":{"line1":"1 Main St","city":"Lyon","country":"FR"},"notes":"leave at the door","created_by":"jane@example.com"},"request_hash":"5f0c2a1e9b7d4c38"},"status":"pending"}',
  '',
  'id: 2',
  'event: order.processing',
  'data: {"id":"ord-1042:2","seq":2,"type":"order.processing","at":"2026-11-22T09:00:00.187Z","data":{"handling":"standard","risk_score":0.04},"status":"processing"}',
  '',
  'id: 3',
  'event: order.payment',
  'data: {"id":"ord-1042:3","seq":3,"type":"order.payment","at":"2026-11-22T09:00:05.102Z","data":{"event":{"event_id":"evt_9f13","type":"payment.created","order_id":"ord-1042","created_at":"2026-11-22T09:00:05.090Z"},"applied":true,"reason":"payment created","payment_state":"created","settle_at":null},"status":"processing"}',
  '',
  'id: 4',
  'event: order.payment',
  'data: {"id":"ord-1042:4","seq":4,"type":"order.payment","at":"2026-11-22T09:00:05.109Z","data":{"event":{"event_id":"evt_9f14","type":"payment.authorized","order_id":"ord-1042","created_at":"2026-11-22T09:00:05.100Z"},"applied":true,"reason":"payment authorized","payment_state":"authorized","settle_at":null},"status":"processing"}',
  '',
  'id: 5',
  'event: order.payment',
  'data: {"id":"ord-1042:5","seq":5,"type":"order.payment","at":"2026-11-22T09:00:05.131Z","data":{"event":{"event_id":"evt_9f15","type":"payment.captured","order_id":"ord-1042","created_at":"2026-11-22T09:00:05.120Z"},"applied":true,"reason":"payment captured","payment_state":"captured","settle_at":"2026-11-22T09:00:07.131Z"},"status":"processing"}',
  '',
  'id: 6',
  'event: order.completed',
  'data: {"id":"ord-1042:6","seq":6,"type":"order.completed","at":"2026-11-22T09:00:07.140Z","data":{"reason":"payment captured"},"status":"completed"}',
  '',
  'event: end',
  'data: {"order_id":"ord-1042","status":"completed"}',
  '',
  '',
].join('\n');

export const FEED_STREAM_EXAMPLE = [
  'retry: 3000',
  '',
  'event: order.completed',
  'data: {"order_id":"ord-1042","seq":6,"type":"order.completed","status":"completed","at":"2026-11-22T09:00:07.140Z"}',
  '',
  'event: order.rejected',
  'data: {"order_id":"ord-1043","seq":2,"type":"order.rejected","status":"rejected","at":"2026-11-22T09:00:07.402Z"}',
  '',
  '',
].join('\n');

/** The 200 answer of a Server-Sent Events route, for the OpenAPI document. */
export function eventStream(example: string) {
  return {
    description: 'a Server-Sent Events stream (text/event-stream)',
    content: { 'text/event-stream': { schema: { type: 'string' }, example } },
  };
}
