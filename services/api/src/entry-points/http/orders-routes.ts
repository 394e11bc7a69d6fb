import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { decideCancel } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import type { ShedReason } from '../../domain/backpressure.js';
import { normalizeNewOrder } from '../../domain/new-order.js';
import { ApiError } from './errors.js';
import { presentEvent, presentOrder } from './presenter.js';
import { errorResponses, OrderEvents, OrderPage, OrderView } from './response-schemas.js';
import { CancelBody, CreateOrderBody, CreateOrderHeaders, ListQuery, OrderParams } from './schemas.js';
import { RequestValidationError } from './validation.js';
import type { IntakePressure } from '../../live/intake-pressure.js';

/** Order intake and reads (SPEC §3). */
export function registerOrderRoutes(app: FastifyInstance, store: OrderStore, pressure: IntakePressure): void {
  const create = {
    schema: {
      tags: ['orders'],
      summary: 'Create an order (202), or find the one a repeated id / Idempotency-Key made (200)',
      body: CreateOrderBody,
      headers: CreateOrderHeaders,
      response: { 202: OrderView, 200: OrderView, ...errorResponses(400, 409, 413, 415, 429, 503) },
    },
  };
  const createHandler = async (
    request: { body: unknown; headers: Record<string, string | string[] | undefined>; log: FastifyBaseLogger },
    reply: FastifyReply,
  ) => {
    const normalized = normalizeNewOrder(request.body as CreateOrderBody, {
      userId: headerOf(request.headers, 'x-user-id'),
      idempotencyKey: headerOf(request.headers, 'idempotency-key'),
    });
    if (!normalized.ok) throw new RequestValidationError(normalized.problems);
    const admission = pressure.admit();
    if (!admission.admit) throw overloaded(admission.reason, admission.retryAfterSeconds);
    const done = pressure.begin();
    const result = await store.create(normalized.order, normalized.requestHash).finally(done);
    if (!result.created && !result.samePayload) {
      throw new ApiError(409, 'idempotency_conflict', `order ${result.order.id} exists with a different payload`);
    }
    if (result.created) {
      request.log.info(
        { 'order.id': result.order.id, 'event.action': 'order-created', order: { lane: result.order.lane } },
        `order ${result.order.id} accepted in lane ${result.order.lane}`,
      );
    }
    return reply
      .code(result.created ? 202 : 200)
      .header('location', `/orders/${encodeURIComponent(result.order.id)}`)
      .send(presentOrder(result.order));
  };
  app.post('/orders', create, createHandler);
  app.post(
    '/api/orders',
    { schema: { ...create.schema, summary: 'Create an order (alias of POST /orders)' } },
    createHandler,
  );

  const list = {
    tags: ['orders'],
    summary: 'List orders, newest first, filtered by status, customer or lane; paged by cursor',
    querystring: ListQuery,
    response: { 200: OrderPage, ...errorResponses(400, 429, 503) },
  };
  app.get('/orders', { schema: list }, async (request) => {
    const query = request.query as ListQuery;
    const page = await store.list({
      status: query.status,
      customerId: query.customer_id,
      lane: query.lane,
      limit: query.limit ?? 50,
      cursor: query.cursor,
    });
    return { orders: page.orders.map(presentOrder), next_cursor: page.nextCursor };
  });

  const one = {
    tags: ['orders'],
    summary: 'One order with its history',
    params: OrderParams,
    response: { 200: OrderView, ...errorResponses(400, 404, 429, 503) },
  };
  app.get('/orders/:id', { schema: one }, async (request) => {
    const { id } = request.params as { id: string };
    const order = (await store.snapshot(id)) ?? (await store.load(id));
    if (!order) throw notFound(id);
    return presentOrder(order);
  });

  const events = {
    tags: ['orders'],
    summary: "The order's events in seq order",
    params: OrderParams,
    response: { 200: OrderEvents, ...errorResponses(400, 404, 429, 503) },
  };
  app.get('/orders/:id/events', { schema: events }, async (request) => {
    const { id } = request.params as { id: string };
    const events = await store.events(id);
    if (events.length === 0) throw notFound(id);
    return { order_id: id, events: events.map(presentEvent) };
  });

  const cancel = {
    tags: ['orders'],
    summary: 'Cancel an order that is not final yet; 409 once it is',
    params: OrderParams,
    body: CancelBody,
    response: { 200: OrderView, ...errorResponses(400, 404, 409, 415, 429, 503) },
  };
  app.post('/orders/:id/cancel', { schema: cancel }, async (request) => {
    const { id } = request.params as { id: string };
    const body = request.body as { reason?: string } | null | undefined;
    const by = headerOf(request.headers, 'x-user-id') ?? 'client';
    const result = await store.decide(id, (order) =>
      decideCancel(order, { reason: body?.reason ?? 'cancelled by the client', by }),
    );
    if (result.outcome === 'not_found') throw notFound(id);
    if (result.outcome === 'refused') throw new ApiError(409, 'order_terminal', result.reason);
    if (result.outcome === 'appended') {
      request.log.info({ 'order.id': id, 'event.action': 'order-cancelled' }, `order ${id} cancelled`);
    }
    return presentOrder(result.order);
  });
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'not_found', `order ${id} not found`);
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** 429 with Retry-After: the pipeline is behind (SPEC §3); nothing was stored. */
function overloaded(reason: ShedReason, retryAfterSeconds: number): ApiError {
  const why =
    reason === 'backlog'
      ? 'orders are waiting to be processed faster than they are taken'
      : 'too many orders are being stored at once';
  return new ApiError(429, 'overloaded', `${why}; retry after ${retryAfterSeconds} s`, undefined, retryAfterSeconds);
}
