import { setTimeout as sleep } from 'node:timers/promises';

/** One order as a client sends it: the same body and headers on every retry. */
export interface OrderRequest {
  /** Client-side name of the order (its `id` or `Idempotency-Key`). */
  readonly key: string;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

/** One answer (or its absence) to a POST. */
export interface Answer {
  readonly key: string;
  /** HTTP status; 0 when the request got no answer (connection refused or reset, timeout). */
  readonly status: number;
  readonly startedAt: number;
  readonly ms: number;
  readonly retryAfter: string | null;
}

export interface LoadOptions {
  readonly apiBase: () => string;
  /** Orders to send. */
  readonly count: number;
  /** Orders in flight at once. */
  readonly concurrency: number;
  /** Pause of a worker between two orders, to spread the run over time. */
  readonly pauseMs?: number;
  /** An order not accepted within this long is given up. */
  readonly acceptTimeoutMs?: number;
  /** Distinguishes this load's orders from others in the same scenario. */
  readonly prefix: string;
  readonly order?: (index: number, prefix: string) => OrderRequest;
}

const RETRY_PAUSE_MS = 250;
const MAX_RETRY_AFTER_MS = 1_000;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Varied valid orders: even ones carry a client `id`, odd ones an `Idempotency-Key`;
 * all three lanes; a customer of their own each, so no risk history builds up.
 */
export function defaultOrder(index: number, prefix: string): OrderRequest {
  const key = `${prefix}-${index}`;
  const priority = (index % 3) + 1;
  if (index % 2 === 0) {
    const quantity = (index % 4) + 1;
    return {
      key,
      body: {
        id: key,
        customer_id: `cust-${key}`,
        items: [{ sku: `SKU-${index % 7}`, quantity, unit_price: 12.5 }],
        total: quantity * 12.5,
        priority,
      },
      headers: {},
    };
  }
  return {
    key,
    body: { customer_id: `cust-${key}`, items: ['item1', 'item2'], total: 20 + (index % 30), priority },
    headers: { 'idempotency-key': key },
  };
}

/**
 * A client that keeps sending orders, `concurrency` at a time, and retries each one —
 * same body, same key — after no answer or a 5xx/429 until it is accepted (202, or 200
 * for a repeat). Accepted order ids are what the invariant checker covers.
 */
export class Load {
  /** Order ids the api accepted, in acceptance order. */
  readonly accepted: string[] = [];
  /** Keys given up on, with the last status. */
  readonly refused: { key: string; status: number }[] = [];
  readonly answers: Answer[] = [];
  readonly done: Promise<void>;
  readonly #options: LoadOptions;
  #next = 0;
  #halted = false;

  constructor(options: LoadOptions) {
    this.#options = options;
    this.done = Promise.all(Array.from({ length: options.concurrency }, () => this.#worker())).then(() => undefined);
  }

  /** Orders handed out so far (sent at least once). */
  get sent(): number {
    return Math.min(this.#next, this.#options.count);
  }

  /** Sends no new orders; those already started still finish. */
  halt(): void {
    this.#halted = true;
  }

  /** Answers with this status. */
  count(status: number): number {
    return this.answers.filter((a) => a.status === status).length;
  }

  async #worker(): Promise<void> {
    const makeOrder = this.#options.order ?? defaultOrder;
    while (!this.#halted && this.#next < this.#options.count) {
      const index = this.#next++;
      await this.#send(makeOrder(index, this.#options.prefix));
      if (this.#options.pauseMs) await sleep(this.#options.pauseMs);
    }
  }

  async #send(order: OrderRequest): Promise<void> {
    const deadline = Date.now() + (this.#options.acceptTimeoutMs ?? 180_000);
    for (;;) {
      const answer = await post(this.#options.apiBase(), order);
      this.answers.push(answer.answer);
      const { status } = answer.answer;
      if (status === 202 || status === 200) {
        this.accepted.push(String(answer.json?.id));
        return;
      }
      const retryable = status === 0 || status === 429 || status >= 500;
      if (!retryable || Date.now() > deadline) {
        this.refused.push({ key: order.key, status });
        return;
      }
      const retryAfterMs = Number(answer.answer.retryAfter ?? 0) * 1_000;
      await sleep(Math.max(RETRY_PAUSE_MS, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)));
    }
  }
}

/** One POST /orders; never throws. */
export async function post(
  apiBase: string,
  order: OrderRequest,
): Promise<{ answer: Answer; json: Record<string, any> | undefined }> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${apiBase}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...order.headers },
      body: JSON.stringify(order.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const json = (await response.json().catch(() => undefined)) as Record<string, any> | undefined;
    const answer = {
      key: order.key,
      status: response.status,
      startedAt,
      ms: Date.now() - startedAt,
      retryAfter: response.headers.get('retry-after'),
    };
    return { answer, json };
  } catch {
    return {
      answer: { key: order.key, status: 0, startedAt, ms: Date.now() - startedAt, retryAfter: null },
      json: undefined,
    };
  }
}
