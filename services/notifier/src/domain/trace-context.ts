/** `version-traceid-parentid-flags` of a W3C `traceparent` header, lower-case hex. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/**
 * The trace id of a message's W3C `traceparent` header (any letter case of the header
 * name), or null when it is missing or malformed. Version `ff` and all-zero ids are
 * invalid by the W3C Trace Context spec; a later version may append fields.
 */
export function traceIdOf(headers: Readonly<Record<string, string>>): string | null {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'traceparent');
  const match = entry ? TRACEPARENT.exec(entry[1].trim()) : null;
  if (!match) return null;
  const [, version, traceId, spanId, , rest] = match;
  if (version === 'ff' || traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return null;
  // Version 00 has exactly four fields.
  if (version === '00' && rest !== undefined) return null;
  return traceId ?? null;
}
