import type { Answer, Sent } from './http-client.js';

const ERROR_KEYS = new Set(['error', 'message', 'details', 'request_id']);

/** Error codes the api may answer with, by status (SPEC §3, `entry-points/http/errors.ts`). */
export const ERROR_CODES: Readonly<Record<number, readonly string[]>> = {
  400: ['validation_error', 'invalid_json', 'invalid_body', 'bad_request'],
  401: ['invalid_signature'],
  404: ['not_found'],
  409: ['idempotency_conflict', 'order_terminal'],
  413: ['payload_too_large'],
  414: ['bad_request'],
  415: ['unsupported_media_type'],
  431: ['bad_request'],
  503: ['order_unknown', 'unavailable'],
};

const clip = (text: string, max = 600) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** A property failure that shows the request and the answer, so a counterexample can be replayed by hand. */
export class PropertyFailure extends Error {
  constructor(problem: string, sent: Sent | string, answer?: Answer) {
    const request =
      typeof sent === 'string'
        ? clip(JSON.stringify(sent), 1_200)
        : `${sent.method} ${clip(sent.path, 300)} headers=${clip(JSON.stringify(sent.headers ?? {}), 400)} body=${
            sent.body === undefined ? '(none)' : clip(JSON.stringify(Buffer.from(sent.body).toString('latin1')))
          }`;
    const response = answer
      ? `${answer.status} content-type=${answer.headers['content-type']} ${clip(answer.text)}`
      : '(none)';
    super(`${problem}\n  request:  ${request}\n  response: ${response}`);
    this.name = 'PropertyFailure';
  }
}

/** Why `answer` is not exactly `{error, message, details?, request_id}`, or undefined. */
export function errorShapeProblem(answer: Answer): string | undefined {
  const body = answer.json;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the error body is not a JSON object';
  const extra = Object.keys(body).filter((key) => !ERROR_KEYS.has(key));
  if (extra.length > 0) return `the error body has extra keys ${extra.join(', ')}`;
  if (typeof body.error !== 'string' || typeof body.message !== 'string') return 'error and message must be strings';
  if (typeof body.request_id !== 'string' || body.request_id === '') return 'request_id must be a non-empty string';
  if (answer.headers['x-request-id'] !== body.request_id) return 'request_id differs from the X-Request-Id header';
  if (!/^application\/json/.test(answer.headers['content-type'] ?? '')) return 'the error is not sent as JSON';
  if (body.details !== undefined) {
    if (!Array.isArray(body.details) || body.details.length === 0) return 'details must be a non-empty array';
    for (const detail of body.details as unknown[]) {
      const d = detail as Record<string, unknown>;
      if (typeof d !== 'object' || d === null || Object.keys(d).sort().join() !== 'field,message')
        return 'every detail must be exactly {field, message}';
      if (typeof d.field !== 'string' || typeof d.message !== 'string') return 'detail field and message are strings';
    }
  }
  const codes = ERROR_CODES[answer.status];
  if (codes && !codes.includes(body.error)) return `error code ${body.error} is not one of ${codes.join(', ')}`;
  return undefined;
}

/** Never a 5xx; every answer is 2xx, or 4xx with the exact error shape. */
export function expectNoServerError(sent: Sent | string, answer: Answer): void {
  if (answer.status === 0) throw new PropertyFailure('no HTTP answer at all', sent, answer);
  if (answer.status >= 500) throw new PropertyFailure(`a ${answer.status}`, sent, answer);
  if (answer.status >= 300) {
    if (answer.status < 400) throw new PropertyFailure('neither 2xx nor 4xx', sent, answer);
    const problem = errorShapeProblem(answer);
    if (problem) throw new PropertyFailure(`error shape: ${problem}`, sent, answer);
  }
}

/** Exactly this status, and for an error exactly the error shape with one of `codes`. */
export function expectError(sent: Sent | string, answer: Answer, status: number, codes?: readonly string[]): void {
  if (answer.status !== status) throw new PropertyFailure(`expected ${status}, got ${answer.status}`, sent, answer);
  const problem = errorShapeProblem(answer);
  if (problem) throw new PropertyFailure(`error shape: ${problem}`, sent, answer);
  if (codes && !codes.includes(answer.json.error)) {
    throw new PropertyFailure(`expected error ${codes.join(' or ')}, got ${answer.json.error}`, sent, answer);
  }
}
