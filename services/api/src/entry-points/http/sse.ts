import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseSettings {
  /** A comment line this often keeps proxies from closing an idle stream. */
  readonly heartbeatMs: number;
  /** The stream is closed after this long; the client reconnects with Last-Event-ID. */
  readonly maxLifetimeMs: number;
  /** What the client waits before reconnecting (`retry:`). */
  readonly retryMs: number;
}

/**
 * A client that reads slower than its events come stops being served once this much is
 * queued for it: it reconnects and resumes from its Last-Event-ID, and the process's
 * memory stays bounded.
 */
const MAX_QUEUED_BYTES = 1_048_576;

export interface SseMessage {
  readonly id?: string;
  readonly event: string;
  readonly data: unknown;
}

export interface SseStream {
  send(message: SseMessage): void;
  /** Ends the stream (idempotent). */
  end(): void;
  readonly closed: boolean;
  /** Runs once when the stream is over, whoever ended it. */
  onClose(callback: () => void): void;
}

/**
 * Turns a request into a Server-Sent Events stream: the reply is taken over from
 * Fastify, headers that keep proxies from buffering are sent, heartbeats and the
 * lifetime limit run until the stream ends.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, settings: SseSettings): SseStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  raw.write(`retry: ${settings.retryMs}\n\n`);

  const callbacks: (() => void)[] = [];
  let closed = false;
  const heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), settings.heartbeatMs);
  const lifetime = setTimeout(() => stream.end(), settings.maxLifetimeMs);
  heartbeat.unref();
  lifetime.unref();

  function finish(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    for (const callback of callbacks.splice(0)) callback();
  }
  // The response closes when it ends or the client goes away, whichever comes first.
  raw.on('close', finish);

  function write(chunk: string): void {
    if (closed) return;
    if (raw.writableLength > MAX_QUEUED_BYTES) {
      request.log.warn({ 'event.action': 'sse-slow-client' }, 'SSE client too slow; closing its stream');
      raw.destroy();
      return;
    }
    raw.write(chunk);
  }

  const stream: SseStream = {
    send(message) {
      const id = message.id === undefined ? '' : `id: ${message.id}\n`;
      write(`${id}event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`);
    },
    end() {
      if (!raw.writableEnded) raw.end();
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(callback) {
      if (closed) callback();
      else callbacks.push(callback);
    },
  };
  // The client may have left while the stream was being prepared.
  if (raw.destroyed || !raw.socket || raw.socket.destroyed) finish();
  return stream;
}
