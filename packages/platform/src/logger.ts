import { ecsFormat } from '@elastic/ecs-pino-format';
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
 * (`orderflow.<service>`), errors as `error.*`. `trace.id` / `span.id` of the active
 * span come from the OpenTelemetry pino instrumentation (`telemetry/register.ts`).
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
  const formatLog = ecs.formatters?.log ?? ((fields: Record<string, unknown>) => fields);
  return pino(
    {
      ...ecs,
      formatters: {
        ...ecs.formatters,
        // Requests as ECS `http.request.method` and `url.path`: no body, no query string
        // (it may hold a customer's e-mail address), no headers.
        log(fields: Record<string, unknown>) {
          const { req, ...rest } = fields;
          const formatted = formatLog(rest);
          return req === undefined ? formatted : withRequest(formatted, req);
        },
      },
      level: options.level,
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

const EMAIL = /[^\s/@?#]+@[^\s/@?#]+/g;

/** Adds what a request log line says of its request (a Fastify request or a Node.js one). */
function withRequest(fields: Record<string, unknown>, req: unknown): Record<string, unknown> {
  if (typeof req !== 'object' || req === null) return fields;
  const { method, url, id } = req as { method?: unknown; url?: unknown; id?: unknown };
  const http = (fields.http ?? {}) as Record<string, unknown>;
  const request = {
    ...(typeof method === 'string' ? { method } : {}),
    ...(typeof id === 'string' ? { id } : {}),
  };
  const path = typeof url === 'string' ? url.split('?')[0]!.replace(EMAIL, '[email]') : undefined;
  return { ...fields, http: { ...http, request }, ...(path === undefined ? {} : { url: { path } }) };
}
