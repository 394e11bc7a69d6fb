import { createHmac } from 'node:crypto';

/**
 * The `X-Signature` header for `body`: `sha256=<hex HMAC-SHA256>`. It must be computed
 * over the exact bytes sent, so callers serialise once and sign and send that buffer.
 */
export function signatureFor(body: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
