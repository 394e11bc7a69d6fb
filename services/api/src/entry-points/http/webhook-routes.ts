import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { toMinor, type ProviderEvent } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import { inOrderTrace, type EventBus } from '@orderflow/platform';
import { ApiError, RETRY_AFTER_SECONDS } from './errors.js';
import { jsonText } from './json-body.js';
import { Type } from 'typebox';
import { errorResponses, WebhookAccepted } from './response-schemas.js';
import { PaymentWebhookBody } from './schemas.js';
import { compileStrict, hostileKeys, RequestValidationError } from './validation.js';

export interface WebhookDependencies {
  readonly store: OrderStore;
  readonly bus: () => EventBus;
  readonly secret: string;
}

const validateWebhook = compileStrict<PaymentWebhookBody>(PaymentWebhookBody);

/**
 * `POST /webhooks/payments` (SPEC §5): the signature is checked over the raw bytes, an
 * event for an order we do not know is refused with a retryable 503, and 2xx is answered
 * only once the event is stored in `PAYMENTS` (`Nats-Msg-Id` = `event_id`).
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookDependencies): void {
  void app.register((scope, _options, done) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, parsed) =>
      parsed(null, body),
    );

    const schema = {
      tags: ['payments'],
      summary: 'A payment provider event, signed with X-Signature: sha256=<hex HMAC-SHA256 of the raw body>',
      body: PaymentWebhookBody,
      headers: Type.Object({ 'x-signature': Type.String({ pattern: '^sha256=[0-9a-f]{64}$' }) }),
      response: { 202: WebhookAccepted, ...errorResponses(400, 401, 413, 415, 429, 503) },
    };
    // The body is checked after its signature, from the raw bytes: the schemas above document it.
    const afterSignature = () => () => true;
    scope.post('/webhooks/payments', { schema, validatorCompiler: afterSignature }, async (request, reply) => {
      const raw = request.body as Buffer;
      if (!signatureMatches(raw, request.headers['x-signature'], deps.secret)) {
        throw new ApiError(401, 'invalid_signature', 'X-Signature does not match the body');
      }
      const text = jsonText(raw, request.headers['content-type']);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ApiError(400, 'invalid_json', 'the body is not valid JSON');
      }
      const hostile = hostileKeys(json);
      if (hostile.length > 0) throw new RequestValidationError(hostile);
      const checked = validateWebhook(json);
      if (!checked.ok) throw new RequestValidationError(checked.problems);
      const body = checked.value;
      const event = toProviderEvent(body);

      // Any version will do: what is needed (that it exists, its trace) never changes.
      const known = await deps.store.anyVersion(body.order_id);
      if (!known) {
        throw new ApiError(
          503,
          'order_unknown',
          `order ${body.order_id} is not known (yet); send the event again later`,
          undefined,
          RETRY_AFTER_SECONDS,
        );
      }
      let duplicate: boolean;
      try {
        // The provider's call is not part of the order's trace; the event it brings is.
        ({ duplicate } = await inOrderTrace(
          known.trace,
          'payment event',
          { 'order.id': body.order_id, 'orderflow.payment.event_id': body.event_id },
          () =>
            deps.bus().publish(`payment.event.${body.order_id}`, JSON.stringify(event), {
              msgId: body.event_id,
              headers: { 'content-type': 'application/json' },
            }),
        ));
      } catch (error) {
        request.log.warn({ err: error, 'order.id': body.order_id }, 'storing a payment event failed');
        throw new ApiError(
          503,
          'unavailable',
          'the event could not be stored; send it again',
          undefined,
          RETRY_AFTER_SECONDS,
        );
      }
      return reply.code(202).send({ status: 'accepted', event_id: body.event_id, duplicate });
    });
    done();
  });
}

function signatureMatches(raw: Buffer, header: string | string[] | undefined, secret: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value?.startsWith('sha256=')) return false;
  const given = Buffer.from(value.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function toProviderEvent(body: PaymentWebhookBody): ProviderEvent {
  const createdAtMs = Date.parse(body.created_at);
  if (Number.isNaN(createdAtMs)) {
    throw new RequestValidationError([{ field: 'created_at', message: 'must be an ISO-8601 time with a time zone' }]);
  }
  const amountMinor = body.amount === undefined ? undefined : toMinor(body.amount);
  if (body.amount !== undefined && amountMinor === undefined) {
    throw new RequestValidationError([{ field: 'amount', message: 'must have at most 2 decimals' }]);
  }
  return {
    event_id: body.event_id,
    type: body.type,
    order_id: body.order_id,
    created_at: new Date(createdAtMs).toISOString(),
    ...(amountMinor === undefined ? {} : { amount_minor: amountMinor }),
    ...(body.currency === undefined ? {} : { currency: body.currency }),
  };
}
