import type { SpanKind } from '@opentelemetry/api';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

export type { Span } from '@opentelemetry/api';

const TRACER = 'orderflow';

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The parent; the active context when omitted. */
  readonly parent?: Context;
  readonly links?: Link[];
  readonly startTime?: number;
}

/**
 * Runs `fn` inside a new active span, ended when `fn` settles; a throw marks the span
 * as an error with the exception recorded, and is rethrown.
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const { parent = context.active(), ...spanOptions } = options;
  return trace.getTracer(TRACER).startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Records a finished span timed elsewhere (a worker thread's task), from `startTime` to
 * `endTime` in epoch milliseconds, under the context whose `traceparent` travelled with
 * that work; nothing without one.
 */
export function recordRemoteSpan(
  traceparent: string | undefined,
  name: string,
  startTime: number,
  endTime: number,
  attributes: Attributes,
): void {
  if (!traceparent) return;
  trace.getTracer(TRACER).startSpan(name, { startTime, attributes }, contextOfHeaders({ traceparent })).end(endTime);
}

/** The W3C headers (`traceparent`, `tracestate`) of the active context, for a message. */
export function traceHeaders(active: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier;
}

/** The context whose W3C headers a message carries (the root context when none). */
export function contextOfHeaders(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The active span's `traceparent`, kept with an order so that later work joins its trace. */
export function currentTraceparent(): string | undefined {
  return traceHeaders().traceparent;
}

/**
 * Runs `fn` in an order's trace: the one its creating request began, given by the
 * `traceparent` stored with the order. Work that does not descend from that request (a
 * provider's webhook, a scheduler sweep, a cancellation) gets a span there, linked to
 * the span it came from, so the order's story stays one trace. Work already in that
 * trace runs as it is, without another span.
 */
export function inOrderTrace<T>(
  traceparent: string | undefined,
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const active = trace.getActiveSpan()?.spanContext();
  const order = traceparent ? trace.getSpanContext(contextOfHeaders({ traceparent })) : undefined;
  if (!order) return active ? fn() : inSpan(name, { attributes }, fn);
  if (order.traceId === active?.traceId) return fn();
  const links = active ? [{ context: active }] : [];
  return inSpan(name, { attributes, parent: trace.setSpanContext(ROOT_CONTEXT, order), links }, fn);
}
