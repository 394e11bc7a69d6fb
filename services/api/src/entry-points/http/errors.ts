import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnavailableError } from '@orderflow/platform';
import { InvalidCursorError } from '@orderflow/event-store';
import { RequestValidationError, type FieldProblem } from './validation.js';

/** An error the api answers with on purpose: status, stable code, message, field details. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const RETRY_AFTER_SECONDS = 5;

const FASTIFY_CODES: Readonly<Record<string, [number, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
};

/** 503 with Retry-After: the order store cannot be reached. */
export function storeUnavailable(): ApiError {
  return new ApiError(
    503,
    'unavailable',
    'the order store is unavailable; retry later',
    undefined,
    RETRY_AFTER_SECONDS,
  );
}

/** One error shape for every failure (SPEC §3): `{error, message, details?, request_id}`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = mapError(error);
    if (mapped.statusCode >= 500 && mapped.code !== 'unavailable') {
      request.log.error({ err: error }, 'request failed');
    } else if (mapped.code === 'unavailable') {
      request.log.warn({ err: error }, 'dependency unavailable');
    }
    if (mapped.retryAfterSeconds !== undefined) reply.header('retry-after', String(mapped.retryAfterSeconds));
    return reply.code(mapped.statusCode).send({
      error: mapped.code,
      message: mapped.message,
      ...(mapped.details ? { details: mapped.details } : {}),
      request_id: request.id,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
      request_id: request.id,
    }),
  );
}

function mapError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof RequestValidationError) {
    return new ApiError(400, 'validation_error', 'the request is not valid', error.problems);
  }
  if (error instanceof UnavailableError) return storeUnavailable();
  if (error instanceof InvalidCursorError) {
    return new ApiError(400, 'validation_error', 'the request is not valid', [
      { field: 'cursor', message: error.message },
    ]);
  }
  const fastifyError = error as FastifyError;
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return new ApiError(known[0], known[1], fastifyError.message);
  if (fastifyError.statusCode === 429) return new ApiError(429, 'rate_limited', fastifyError.message, undefined, 60);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError(fastifyError.statusCode, 'bad_request', fastifyError.message);
  }
  return new ApiError(500, 'internal_error', 'something went wrong; the request id helps find it');
}

/**
 * Requests Node's HTTP parser refuses before any route runs (a header over the size
 * limit, a bare CR, a malformed request line) get the one error shape too, with a fresh
 * request id, and the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestId = randomUUID();
  const message =
    status === 431
      ? 'the request headers are too large'
      : status === 408
        ? 'the request took too long to arrive'
        : 'the request is not valid HTTP';
  const body = JSON.stringify({
    error: status === 408 ? 'request_timeout' : 'bad_request',
    message,
    request_id: requestId,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
