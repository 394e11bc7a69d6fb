import { expectError, PropertyFailure } from './answers.js';
import type { Answer, HttpClient, Sent } from './http-client.js';
import type { OrderModel } from './order-model.js';
import { judgeCreate, orderMismatch, type CreateHeaders, type CreateVerdict } from './order-oracle.js';

/** What the api must make of a create request's bytes, before and after parsing. */
export type BodyVerdict =
  | { readonly kind: 'too-large' }
  | { readonly kind: 'not-json' }
  | { readonly kind: 'unsupported-media-type' }
  | { readonly kind: 'judged'; readonly verdict: CreateVerdict };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The verdict on bytes sent as JSON: JSON is UTF-8 only, so ill-formed UTF-8 is not JSON. */
export function judgeJsonBytes(bytes: Buffer, headers: CreateHeaders, maxBodyBytes: number): BodyVerdict {
  if (bytes.length > maxBodyBytes) return { kind: 'too-large' };
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return { kind: 'not-json' };
  }
  return { kind: 'judged', verdict: judgeCreate(value, headers) };
}

export interface CreateRequest {
  readonly path?: '/orders' | '/api/orders';
  readonly body: Buffer | string;
  /** Undefined: no Content-Type header at all. */
  readonly contentType?: string | undefined;
  readonly headers?: CreateHeaders;
  /** Whether the api must read the body as JSON (false: 415). */
  readonly json?: boolean;
}

/** JSON is UTF-8: a Content-Type declaring another charset is refused (415). */
function declaresUtf8OrNothing(contentType: string | undefined): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

const HOSTILE_MESSAGE = /may not start with "\$" or contain "\."/;

/**
 * Sends create requests and checks every answer against the spec: the exact status, the
 * error shape, and for 202 the order as answered and as stored (via `Location`).
 */
export function createChecker(client: HttpClient, model: OrderModel, maxBodyBytes: number) {
  async function checkAccepted(property: string, sent: Sent, answer: Answer, verdict: CreateVerdict, key?: string) {
    if (!verdict.valid) return;
    const expectation = model.expect(verdict.order, key);
    if (expectation.status === 409) return expectError(sent, answer, 409, ['idempotency_conflict']);
    if (answer.status !== expectation.status) {
      throw new PropertyFailure(`a valid create must be ${expectation.status}`, sent, answer);
    }
    const id = String(answer.json?.id);
    if (expectation.status === 202) model.created(id, verdict.order, key);
    const want = expectation.status === 200 ? expectation.original : verdict.order;
    const mismatch = orderMismatch(want, answer.json);
    if (mismatch) throw new PropertyFailure(`the answered order differs: ${mismatch}`, sent, answer);
    const location = `/orders/${encodeURIComponent(id)}`;
    if (answer.headers.location !== location) throw new PropertyFailure(`Location must be ${location}`, sent, answer);
    if (expectation.status === 200) return;
    const stored = await client.send(property, { method: 'GET', path: location });
    const storedMismatch = stored.status === 200 ? orderMismatch({ ...want, id }, stored.json) : `GET ${stored.status}`;
    if (storedMismatch) throw new PropertyFailure(`the stored order differs: ${storedMismatch}`, sent, stored);
    if (stored.json.status !== 'pending' || stored.json.version !== 1) {
      throw new PropertyFailure('a new order is pending at version 1', sent, stored);
    }
  }

  /** Checks `answer` to `sent` against `expected`. */
  async function check(property: string, sent: Sent, answer: Answer, expected: BodyVerdict, key?: string) {
    if (expected.kind === 'too-large') return expectError(sent, answer, 413, ['payload_too_large']);
    if (expected.kind === 'not-json') return expectError(sent, answer, 400, ['invalid_json']);
    if (expected.kind === 'unsupported-media-type') return expectError(sent, answer, 415, ['unsupported_media_type']);
    const { verdict } = expected;
    if (verdict.valid) return checkAccepted(property, sent, answer, verdict, key);
    if (verdict.refusal === 'parser') return expectError(sent, answer, 400, ['invalid_json']);
    expectError(sent, answer, 400, ['validation_error']);
    const details = answer.json.details as { field: string; message: string }[] | undefined;
    if (!details) throw new PropertyFailure('a validation error lists its fields', sent, answer);
    if (verdict.refusal === 'hostile' && !details.some((d) => HOSTILE_MESSAGE.test(d.message))) {
      throw new PropertyFailure('a hostile key is named as such', sent, answer);
    }
  }

  /** Sends a create request and checks the answer; returns both. */
  async function post(property: string, request: CreateRequest): Promise<{ sent: Sent; answer: Answer }> {
    const body = Buffer.from(request.body);
    const { userId, idempotencyKey } = request.headers ?? {};
    const headers: Record<string, string> = {};
    const contentType = 'contentType' in request ? request.contentType : 'application/json';
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (userId !== undefined) headers['x-user-id'] = userId;
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    const sent: Sent = { method: 'POST', path: request.path ?? '/orders', headers, body };
    const answer = await client.send(property, sent);
    const expected: BodyVerdict =
      request.json === false
        ? { kind: 'unsupported-media-type' }
        : body.length <= maxBodyBytes && !declaresUtf8OrNothing(contentType)
          ? { kind: 'unsupported-media-type' }
          : judgeJsonBytes(body, request.headers ?? {}, maxBodyBytes);
    await check(property, sent, answer, expected, idempotencyKey);
    return { sent, answer };
  }

  return { post, check };
}

export type CreateChecker = ReturnType<typeof createChecker>;
