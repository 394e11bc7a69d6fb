import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a JSON body, exactly as sent: UTF-8 only (RFC 8259). A declared other
 * charset is 415, ill-formed UTF-8 is 400 — never read with U+FFFD in its place, which
 * would store something other than what the client sent.
 */
export function jsonText(raw: Buffer, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, 'unsupported_media_type', `charset "${charset}" is not supported: send UTF-8 JSON`);
  }
  try {
    return utf8.decode(raw);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not valid UTF-8');
  }
}

/** Parses `application/json` bodies strictly as UTF-8, then as Fastify does (prototype poisoning refused). */
export function useStrictJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = jsonText(body as Buffer, request.headers['content-type']);
    } catch (error) {
      done(error as ApiError, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
