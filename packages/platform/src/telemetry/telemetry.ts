import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TelemetryOptions {
  /** `service.name`; `OTEL_SERVICE_NAME` wins when set. */
  readonly serviceName: string;
  readonly serviceVersion: string;
  /** Where finished spans go; by default OTLP when an endpoint is configured, else nowhere. */
  readonly spanProcessors?: SpanProcessor[];
}

/** Paths whose requests make no span: probes and scrapes would drown the traces. */
const UNTRACED_PATHS = /^\/(health|ready|metrics)(\/|\?|$)/;

let started: { shutdown(): Promise<void> } | undefined;

/**
 * Starts the OpenTelemetry SDK for this process (SPEC §9): HTTP, undici, MongoDB and
 * pino instrumentation, W3C trace context, and the service as resource. Spans are
 * exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-only variable,
 * or `OTEL_TRACES_EXPORTER`) is set, following the standard `OTEL_*` variables; without
 * them every span is still made, so logs carry trace ids and NATS headers carry the
 * context, but nothing leaves the process. `OTEL_SDK_DISABLED=true` turns it all off.
 *
 * Must run before the instrumented modules are loaded: `register.ts` does it through
 * `node --import`.
 */
export function startTelemetry(options: TelemetryOptions, env: NodeJS.ProcessEnv = process.env): void {
  if (started) return;
  started = startNodeSdk({
    resourceAttributes: {
      ...(env.OTEL_SERVICE_NAME ? {} : { 'service.name': options.serviceName }),
      'service.namespace': 'orderflow',
      'service.version': options.serviceVersion,
      'deployment.environment.name': env.NODE_ENV ?? 'development',
    },
    // prom-client serves the metrics and Filebeat ships the logs.
    metricReaders: [],
    logRecordProcessors: [],
    ...spanProcessorsFor(options, env),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
      }),
      new UndiciInstrumentation(),
      // Statements keep their shape, never their values (which may hold e-mail addresses).
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
      new PinoInstrumentation({
        disableLogSending: true,
        // ECS field names (SPEC §9); the ECS formatter fills them only for Elastic APM.
        logKeys: { traceId: 'trace.id', spanId: 'span.id', traceFlags: 'trace.flags' },
      }),
    ],
  });
}

/** Exports what is left and stops the SDK; the last step of a process's shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  const sdk = started;
  started = undefined;
  await sdk?.shutdown();
}

/** Whether the environment asks for spans to be exported. */
function exportsSpans(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER);
}

function spanProcessorsFor(options: TelemetryOptions, env: NodeJS.ProcessEnv): { spanProcessors?: SpanProcessor[] } {
  if (options.spanProcessors) return { spanProcessors: options.spanProcessors };
  // Left out, the SDK builds the exporter from OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_*.
  if (exportsSpans(env)) return {};
  // An empty list would disable tracing altogether; a no-op processor keeps the ids.
  return { spanProcessors: [new NoopSpanProcessor()] };
}

/**
 * The service an entry script belongs to, from its path (`services/<name>/…` or
 * `tools/<name>/…`), and its package version; `orderflow` when the path says nothing.
 */
export function serviceOfEntry(entry: string | undefined): { name: string; version: string } {
  const match = entry?.match(/^(.*[/\\](?:services|tools)[/\\]([\w-]+))[/\\]/);
  if (!match) return { name: 'orderflow', version: '0.0.0' };
  return { name: match[2]!, version: packageVersion(join(match[1]!, 'package.json')) };
}

/** The `version` of a package.json, `0.0.0` when it has none or cannot be read. */
export function packageVersion(path: string | URL): string {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
