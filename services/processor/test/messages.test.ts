import { envelopeOf, applyEvent, type NewOrder, type OrderEvent } from '@orderflow/core';
import t from 'tap';
import { createdOrderOf } from '../src/entry-points/messages.js';

const newOrder: NewOrder = {
  id: 'o-1',
  customer_id: 'c-1',
  customer_email: 'c1@example.com',
  items: [{ sku: 'A', quantity: 2, unit_price_minor: 500 }],
  total_minor: 1_000,
  currency: 'EUR',
  priority: 'normal',
  lane: 'normal',
  address: null,
  notes: null,
  created_by: null,
} as unknown as NewOrder;

const trace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const created: OrderEvent = {
  type: 'order.created',
  data: { order: newOrder, request_hash: 'h1', trace },
  order_id: 'o-1',
  seq: 1,
  at: '2026-12-02T10:00:00.000Z',
};

/** The envelope as a consumer parses it off the wire. */
function wireOf(payload: unknown): unknown {
  return JSON.parse(JSON.stringify(payload)) as unknown;
}

t.test('an order.created envelope gives the order as the store folds its seq 1', async (t) => {
  const order = createdOrderOf(wireOf(envelopeOf(created, 'api')));
  t.same(order, applyEvent(undefined, created));
  t.equal(order?.version, 1);
  t.equal(order?.status, 'pending');
  t.equal(order?.trace, trace);
});

t.test('any other event, or a created envelope that does not carry its order, gives nothing', async (t) => {
  const processing = { ...created, type: 'order.processing', seq: 2, data: { handling: 'auto', risk_score: 1 } };
  t.equal(createdOrderOf(wireOf(envelopeOf(processing as OrderEvent, 'processor'))), undefined);
  const envelope = envelopeOf(created, 'api');
  t.equal(createdOrderOf(wireOf({ ...envelope, id: 'o-1:2' })), undefined, 'not seq 1');
  t.equal(createdOrderOf(wireOf({ ...envelope, order_id: 'o-2' })), undefined, 'order id differs from the event id');
  t.equal(createdOrderOf(wireOf({ ...envelope, data: { request_hash: 'h1' } })), undefined, 'no order');
  const otherOrder = { ...envelope, data: { order: { ...newOrder, id: 'o-2' }, request_hash: 'h1' } };
  t.equal(createdOrderOf(wireOf(otherOrder)), undefined, "the order is another one's");
  t.equal(createdOrderOf(wireOf({ ...envelope, time: 5 })), undefined, 'no time');
  t.equal(createdOrderOf(wireOf(null)), undefined);
  t.equal(createdOrderOf(wireOf('text')), undefined);
});
