import type { FastifyInstance } from 'fastify';
import type { Payment, PaymentStore } from './payment-store.js';
import { parsePaymentRequest } from './payment-request.js';

/** What the routes need from the simulator. */
export interface RouteDeps {
  readonly store: PaymentStore;
  /** A new payment was accepted: start playing the provider for it. */
  readonly onAccepted: (payment: Payment) => void;
  readonly now: () => number;
}

/** Registers the HTTP API: payments, health and stats; errors answer `{error, message}`. */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, onAccepted, now } = deps;

  app.setErrorHandler((error, request, reply) => {
    const statusCode = statusOf(error);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    const message = statusCode >= 500 ? 'internal error' : error instanceof Error ? error.message : String(error);
    return reply.code(statusCode).send({ error: errorName(statusCode), message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );

  app.post<{ Headers: { 'idempotency-key'?: string } }>('/payments', async (request, reply) => {
    const parsed = parsePaymentRequest(request.body);
    if (!parsed.ok) return reply.code(400).send({ error: 'bad_request', message: parsed.message });
    const key = request.headers['idempotency-key'];
    // The processor keys payments by order id; any other key would be its bug.
    if (key !== undefined && key !== parsed.value.order_id) {
      return reply.code(400).send({ error: 'bad_request', message: 'Idempotency-Key: expected to equal order_id' });
    }
    const result = store.create(parsed.value, now());
    if (result.kind === 'conflict') {
      return reply.code(409).send({
        error: 'idempotency_conflict',
        message: `order ${parsed.value.order_id} was already requested with a different amount or currency`,
      });
    }
    if (result.kind === 'created') onAccepted(result.payment);
    return reply.code(result.kind === 'created' ? 202 : 200).send(summary(result.payment));
  });

  app.get<{ Params: { payment_id: string } }>('/payments/:payment_id', async (request, reply) => {
    const payment = store.get(request.params.payment_id);
    if (!payment) {
      return reply.code(404).send({ error: 'not_found', message: `no payment ${request.params.payment_id}` });
    }
    return payment;
  });

  app.get('/health', () => ({ status: 'ok' }));
  app.get('/stats', () => store.stats());
}

function summary(payment: Payment) {
  const { payment_id, order_id, amount, currency, status } = payment;
  return { payment_id, order_id, amount, currency, status };
}

function statusOf(error: unknown): number {
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

function errorName(statusCode: number): string {
  if (statusCode === 400) return 'bad_request';
  if (statusCode === 413) return 'payload_too_large';
  if (statusCode === 415) return 'unsupported_media_type';
  return statusCode >= 500 ? 'internal_error' : 'client_error';
}
