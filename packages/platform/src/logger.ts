import { ecsFormat } from '@elastic/ecs-pino-format';
import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly level: string;
  /** Where lines go; stdout when omitted. Tests pass a stream to read the lines. */
  readonly destination?: DestinationStream;
}

/**
 * One ECS JSON line per event (SPEC §9): `service.*`, `event.dataset`
 * (`orderflow.<service>`), and `trace.id` / `span.id` of the active span, if any.
 */
export function createLogger(options: LoggerOptions): Logger {
  const ecs = ecsFormat({
    apmIntegration: false,
    convertErr: true,
    convertReqRes: true,
    serviceName: options.service,
    serviceVersion: options.version,
    serviceEnvironment: options.environment,
    eventDataset: `orderflow.${options.service}`,
  });
  return pino(
    {
      ...ecs,
      level: options.level,
      mixin: activeSpanFields,
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

function activeSpanFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context) return {};
  return { 'trace.id': context.traceId, 'span.id': context.spanId };
}
