import { Agent, RetryAgent, request } from 'undici';
import { toMajor, type Order } from '@orderflow/core';
import { PermanentError, UnavailableError } from '@orderflow/platform';

export interface PaymentClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

/**
 * Requests payment from the provider (SPEC §5) with the order id as idempotency key, a
 * timeout, and retries with backoff on network errors, 429 and 5xx. A refusal (4xx) can
 * never succeed and is permanent.
 */
export function createPaymentClient(options: PaymentClientOptions) {
  const agent = new RetryAgent(
    new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, connectTimeout: options.timeoutMs }),
    {
      maxRetries: options.retries,
      minTimeout: 200,
      maxTimeout: 5_000,
      timeoutFactor: 2,
      methods: ['POST'],
      statusCodes: [429, 500, 502, 503, 504],
    },
  );
  const endpoint = new URL('payments', options.url.endsWith('/') ? options.url : `${options.url}/`);

  return {
    async request(order: Order, signal?: AbortSignal): Promise<void> {
      let response;
      try {
        response = await request(endpoint, {
          dispatcher: agent,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': order.id },
          body: JSON.stringify({ order_id: order.id, amount: toMajor(order.total_minor), currency: order.currency }),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw new UnavailableError(`payment request for ${order.id} failed`, { cause: error });
      }
      const text = await response.body.text();
      if (response.statusCode >= 500 || response.statusCode === 429) {
        throw new UnavailableError(`provider answered ${response.statusCode} for ${order.id}`);
      }
      if (response.statusCode >= 400) {
        throw new PermanentError(`provider refused ${order.id}: ${response.statusCode} ${text.slice(0, 200)}`);
      }
    },
    async close(): Promise<void> {
      await agent.close();
    },
  };
}

export type PaymentClient = ReturnType<typeof createPaymentClient>;
