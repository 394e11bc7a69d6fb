import { PermanentError } from '../errors.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Bytes of a payload given as text or bytes. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** `text()` and `json()` over a payload, shared by both bus implementations. */
export function payloadReaders(data: Uint8Array): { text(): string; json(): unknown } {
  return {
    text: () => decoder.decode(data),
    json() {
      try {
        return JSON.parse(decoder.decode(data)) as unknown;
      } catch (error) {
        throw new PermanentError('payload is not valid JSON', { cause: error, code: 'ERR_DECODE' });
      }
    },
  };
}
