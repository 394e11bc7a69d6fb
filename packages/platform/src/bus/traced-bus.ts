import { SpanKind } from '@opentelemetry/api';
import { contextOfHeaders, inSpan, traceHeaders } from '../telemetry/tracing.js';
import type { EventBus } from './types.js';

const MESSAGING = { 'messaging.system': 'nats' } as const;

/**
 * Logical subjects as span names and metric labels: per-order subjects
 * (`payment.event.<order_id>`, and their dead letters) collapse to their family, so
 * neither grows with the number of orders.
 */
export function subjectFamily(subject: string): string {
  return subject.replace(/^((?:dlq\.)?payment\.event)\..+$/, '$1.*');
}

/**
 * The bus with W3C trace context carried in message headers (SPEC §4, §9): each publish
 * is a producer span whose context goes out as `traceparent`/`tracestate`, and each
 * handled message runs in a consumer span that continues the context it carries.
 */
export function tracedBus(bus: EventBus): EventBus {
  return {
    publish(subject, data, options = {}) {
      const attributes = {
        ...MESSAGING,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': subjectFamily(subject),
        ...(options.msgId === undefined ? {} : { 'messaging.message.id': options.msgId }),
      };
      return inSpan(`publish ${subjectFamily(subject)}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
        const result = await bus.publish(subject, data, {
          ...options,
          headers: { ...options.headers, ...traceHeaders() },
        });
        span.setAttributes({
          'messaging.nats.stream.sequence': result.seq,
          'messaging.nats.duplicate': result.duplicate,
        });
        return result;
      });
    },
    consume(durable, handler, options) {
      return bus.consume(
        durable,
        (message, signal) =>
          inSpan(
            `process ${subjectFamily(message.subject)}`,
            {
              kind: SpanKind.CONSUMER,
              parent: contextOfHeaders(message.headers),
              attributes: {
                ...MESSAGING,
                'messaging.operation.type': 'process',
                'messaging.operation.name': 'process',
                'messaging.destination.name': subjectFamily(message.subject),
                'messaging.consumer.group.name': durable,
                'messaging.nats.delivery_count': message.deliveryCount,
                'messaging.nats.stream.sequence': message.streamSequence,
                ...(message.msgId === undefined ? {} : { 'messaging.message.id': message.msgId }),
              },
            },
            () => handler(message, signal),
          ),
        options,
      );
    },
    backlog: (durable) => bus.backlog(durable),
    watch: (pattern, listener) => bus.watch(pattern, listener),
    close: () => bus.close(),
  };
}
