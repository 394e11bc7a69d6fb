import { readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';

type Kind = 'receivers' | 'processors' | 'exporters' | 'extensions';
type Pipeline = Partial<Record<'receivers' | 'processors' | 'exporters', string[]>>;
type CollectorConfig = Partial<Record<Kind, Record<string, any>>> & {
  service: { extensions?: string[]; pipelines: Record<string, Pipeline> };
};

const config = parse(
  await readFile(new URL('../../observability/otel-collector/config.yml', import.meta.url), 'utf8'),
) as CollectorConfig;

/** Component types of the Collector's core and contrib distributions that a config here may use. */
const KNOWN: Record<Kind, string[]> = {
  receivers: ['otlp', 'prometheus', 'hostmetrics', 'filelog', 'zipkin', 'jaeger'],
  processors: [
    'batch',
    'memory_limiter',
    'resource',
    'resourcedetection',
    'attributes',
    'filter',
    'transform',
    'k8sattributes',
    'tail_sampling',
    'probabilistic_sampler',
  ],
  exporters: ['otlp', 'otlphttp', 'debug', 'prometheus', 'prometheusremotewrite', 'file', 'zipkin'],
  extensions: ['health_check', 'pprof', 'zpages'],
};

/** `otlp/jaeger` is the component type `otlp` named `jaeger`. */
const typeOf = (id: string) => id.split('/')[0]!;

for (const kind of Object.keys(KNOWN) as Kind[]) {
  t.test(`every one of the ${kind} is a known component`, async (t) => {
    for (const id of Object.keys(config[kind] ?? {})) t.ok(KNOWN[kind].includes(typeOf(id)), id);
  });
}

t.test('every pipeline uses only defined receivers, processors and exporters', async (t) => {
  const pipelines = Object.entries(config.service.pipelines);
  t.ok(pipelines.length > 0);
  for (const [name, pipeline] of pipelines) {
    t.ok((pipeline.receivers ?? []).length > 0 && (pipeline.exporters ?? []).length > 0, name);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of pipeline[kind] ?? []) t.ok(id in (config[kind] ?? {}), `${name}: ${kind} ${id}`);
    }
  }
  for (const id of config.service.extensions ?? []) t.ok(id in (config.extensions ?? {}), `extension ${id}`);
});

t.test('traces go from OTLP through memory_limiter and batch to Jaeger and the debug log', async (t) => {
  t.same(config.service.pipelines.traces, {
    receivers: ['otlp'],
    processors: ['memory_limiter', 'batch'],
    exporters: ['otlp/jaeger', 'debug'],
  });
  t.match(config.receivers?.otlp.protocols, {
    grpc: { endpoint: '0.0.0.0:4317' },
    http: { endpoint: '0.0.0.0:4318' },
  });
  t.match(config.exporters?.['otlp/jaeger'], { endpoint: 'jaeger:4317', tls: { insecure: true } });
  t.match(config.exporters?.debug, { verbosity: 'basic' });
});
