import { eventually } from './eventually.js';

/** One Server-Sent Event as a browser's EventSource would dispatch it. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

export interface SseClient {
  readonly status: number;
  readonly headers: Headers;
  /** Events received so far, in order. */
  readonly events: SseEvent[];
  /** Comment lines received so far (heartbeats). */
  readonly comments: string[];
  /** Resolves when the server ends the stream (or the client closes it). */
  readonly ended: Promise<void>;
  /** The error body of a refused stream. */
  readonly body: string | undefined;
  /** Waits until `count` events have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

/**
 * A Server-Sent Events client over fetch, parsing the stream the way the HTML standard
 * says (fields, comments, multi-line data, the blank line that dispatches), for tests.
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const isStream = response.ok && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const body = isStream ? undefined : await response.text();

  const ended = isStream ? read(response, events, comments).catch(() => undefined) : Promise.resolve();
  return {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    ended,
    body,
    async waitFor(count, timeoutMs = 15_000) {
      await eventually(`${count} events from ${url} (got ${events.length})`, () => events.length >= count, timeoutMs);
      return events;
    },
    close: () => abort.abort(),
  };
}

async function read(response: Response, events: SseEvent[], comments: string[]): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) events.push({ id, event: event || 'message', data: data.join('\n') });
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) {
        comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
}
