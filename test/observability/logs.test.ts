import { readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';

interface Input {
  type: string;
  id: string;
  paths: string[];
  parsers: Array<Record<string, Record<string, unknown>>>;
  processors?: Array<Record<string, unknown>>;
  'prospector.scanner.symlinks'?: boolean;
}
interface FilebeatConfig {
  'filebeat.inputs': Input[];
  processors: Array<{ add_fields?: { target: string; fields: Record<string, string> } }>;
  'output.elasticsearch': { hosts: string[]; index: string };
  'setup.template.enabled': boolean;
  'setup.template.pattern': string;
  'setup.ilm.enabled': boolean;
}
interface Mapping {
  type?: string;
  properties?: Record<string, Mapping>;
}
interface IndexTemplate {
  index_patterns: string[];
  data_stream?: unknown;
  priority: number;
  template: { settings: Record<string, unknown>; mappings: { properties: Record<string, Mapping> } };
}
interface SavedObject {
  type: string;
  id: string;
  attributes: {
    title: string;
    timeFieldName?: string;
    columns?: string[];
    sort?: string[][];
    kibanaSavedObjectMeta?: { searchSourceJSON: string };
  };
  references: Array<{ id: string; name: string; type: string }>;
}

const observability = new URL('../../observability/', import.meta.url);
const read = (path: string) => readFile(new URL(path, observability), 'utf8');
const filebeat = parse(await read('filebeat/filebeat.yml')) as FilebeatConfig;
const template = JSON.parse(await read('elasticsearch/index-template.json')) as IndexTemplate;
const savedObjectLines = (await read('kibana/saved-objects.ndjson')).split('\n').filter((line) => line.trim());
const savedObjects = savedObjectLines.map((line) => JSON.parse(line) as SavedObject);
const searchSource = (object: SavedObject) =>
  JSON.parse(object.attributes.kibanaSavedObjectMeta!.searchSourceJSON) as { query: unknown; indexRefName: string };
const savedSearch = (title: string) => savedObjects.find((object) => object.attributes.title === title)!;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An Elasticsearch index pattern (`*` wildcards only) as a regular expression. */
function indexPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
}

/** The Filebeat index for an event with these data_stream fields. */
function filebeatIndex(fields: Record<string, string>): string {
  return filebeat['output.elasticsearch'].index.replace(
    /%\{\[data_stream\.(\w+)\]\}/g,
    (_: string, key: string) => fields[key] ?? '',
  );
}

t.test('Filebeat reads container logs with filestream inputs of unique ids', async (t) => {
  const inputs = filebeat['filebeat.inputs'];
  t.ok(inputs.length > 0);
  for (const input of inputs) t.equal(input.type, 'filestream', input.id);
  const ids = inputs.map((input) => input.id);
  t.equal(new Set(ids).size, ids.length);
  const paths = inputs.flatMap((input) => input.paths);
  t.ok(paths.includes('/var/lib/docker/containers/*/*.log'), 'docker compose');
  t.ok(paths.includes('/var/log/containers/*.log'), 'Kubernetes');
});

t.test('Filebeat decodes the container format, then the ECS JSON line', async (t) => {
  for (const input of filebeat['filebeat.inputs']) {
    t.same(
      input.parsers.map((parser) => Object.keys(parser)[0]),
      ['container', 'ndjson'],
      input.id,
    );
    t.match(input.parsers[1]!.ndjson, { target: '', overwrite_keys: true, expand_keys: true, add_error_key: true });
  }
});

t.test('Filebeat adds container metadata to each input', async (t) => {
  const processorNames = (input: Input) => (input.processors ?? []).flatMap((processor) => Object.keys(processor));
  const [docker, kubernetes] = filebeat['filebeat.inputs'];
  t.ok(processorNames(docker!).includes('add_docker_metadata'));
  t.ok(processorNames(kubernetes!).includes('add_kubernetes_metadata'));
  t.equal(kubernetes!['prospector.scanner.symlinks'], true);
});

t.test('Filebeat writes to the logs-orderflow-default data stream, which the index template covers', async (t) => {
  t.same(filebeat['output.elasticsearch'].hosts, ['${ELASTICSEARCH_HOSTS:http://elasticsearch:9200}']);
  const fields = filebeat.processors.find((processor) => processor.add_fields?.target === 'data_stream')?.add_fields;
  t.same(fields?.fields, { type: 'logs', dataset: 'orderflow', namespace: 'default' });
  const index = filebeatIndex(fields?.fields ?? {});
  t.equal(index, 'logs-orderflow-default');
  t.ok(
    template.index_patterns.some((pattern) => indexPattern(pattern).test(index)),
    'a template pattern matches',
  );
});

t.test('Filebeat leaves the index template and ILM to the files in observability/elasticsearch', async (t) => {
  t.equal(filebeat['setup.template.enabled'], false);
  t.equal(filebeat['setup.ilm.enabled'], false);
  t.ok(indexPattern(filebeat['setup.template.pattern']).test('logs-orderflow-default'));
});

t.test('the index template makes data streams and wins over the built-in logs-*-* template', async (t) => {
  t.same(template.data_stream, {});
  t.ok(template.priority > 200);
  t.ok(template.index_patterns.some((pattern) => indexPattern(pattern).test('logs-orderflow-default')));
  t.notOk(template.index_patterns.some((pattern) => indexPattern(pattern).test('logs-nginx-default')));
});

t.test('the index template maps the ECS fields the services log', async (t) => {
  const typeOf = (path: string) => {
    let node: Mapping | undefined = { properties: template.template.mappings.properties };
    for (const key of path.split('.')) node = node?.properties?.[key];
    return node?.type ?? 'unmapped';
  };
  const expected: Record<string, string[]> = {
    '@timestamp': ['date'],
    message: ['text', 'match_only_text'],
    'log.level': ['keyword'],
    'service.name': ['keyword'],
    'service.version': ['keyword'],
    'service.environment': ['keyword'],
    'event.dataset': ['keyword'],
    'event.action': ['keyword'],
    'trace.id': ['keyword'],
    'span.id': ['keyword'],
    'order.id': ['keyword'],
    'error.type': ['keyword'],
    'error.message': ['text', 'match_only_text'],
    'error.stack_trace': ['wildcard', 'text', 'match_only_text'],
    'http.request.method': ['keyword'],
    'http.response.status_code': ['long', 'integer', 'short'],
    'url.path': ['keyword', 'wildcard'],
  };
  for (const [field, types] of Object.entries(expected)) t.ok(types.includes(typeOf(field)), field);
  t.equal(template.template.settings['index.lifecycle.name'], 'orderflow-logs');
});

t.test('the ILM policy rolls over and deletes', async (t) => {
  const { policy } = JSON.parse(await read('elasticsearch/ilm-policy.json')) as {
    policy: { phases: { hot: { actions: { rollover?: unknown } }; delete: { actions: { delete?: unknown } } } };
  };
  t.ok(policy.phases.hot.actions.rollover);
  t.ok(policy.phases.delete.actions.delete);
});

t.test('every saved-objects line is one saved object', async (t) => {
  for (const object of savedObjects) {
    t.match(object, { type: String, id: String, attributes: Object, references: Array, typeMigrationVersion: String });
  }
  const ids = savedObjects.map((object) => `${object.type}:${object.id}`);
  t.equal(new Set(ids).size, ids.length);
});

t.test('the data view covers logs-orderflow* by @timestamp', async (t) => {
  t.match(
    savedObjects.filter((object) => object.type === 'index-pattern'),
    [{ id: 'orderflow-logs', attributes: { title: 'logs-orderflow*', timeFieldName: '@timestamp' } }],
  );
});

t.test('the saved searches read the data view', async (t) => {
  const searches = savedObjects.filter((object) => object.type === 'search');
  t.same(searches.map((search) => search.attributes.title).sort(), ['errors by service', 'order timeline']);
  for (const search of searches) {
    const { indexRefName } = searchSource(search);
    const reference = search.references.find((ref) => ref.name === indexRefName);
    t.same(reference, { id: 'orderflow-logs', name: indexRefName, type: 'index-pattern' }, search.id);
  }
});

t.test('"errors by service" lists error lines, newest first', async (t) => {
  const search = savedSearch('errors by service');
  t.same(searchSource(search).query, { query: 'log.level: "error"', language: 'kuery' });
  t.same(search.attributes.columns, ['service.name', 'message', 'error.message', 'order.id']);
  t.same(search.attributes.sort, [['@timestamp', 'desc']]);
});

t.test('"order timeline" lists lines about orders, oldest first', async (t) => {
  const search = savedSearch('order timeline');
  t.same(searchSource(search).query, { query: 'order.id: *', language: 'kuery' });
  t.same(search.attributes.columns, ['@timestamp', 'service.name', 'event.action', 'message', 'trace.id']);
  t.same(search.attributes.sort, [['@timestamp', 'asc']]);
});
