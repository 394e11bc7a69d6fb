import { validate } from '@readme/openapi-parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import t from 'tap';
import { useTestServers } from '@orderflow/testkit';
import { startTestApi } from './support.js';

const servers = await useTestServers(t);
const api = await startTestApi(t, servers);
const document = (await api.request('GET', '/openapi.json')).json as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
};

interface Operation {
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
type Schema = Record<string, unknown>;
interface MediaType {
  schema: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

/** A media type's examples: the schemas' `examples`, moved there by the generator. */
function examplesOf(media: MediaType | undefined): unknown[] {
  if (!media) return [];
  return [
    ...(media.example === undefined ? [] : [media.example]),
    ...Object.values(media.examples ?? {}).map((e) => e.value),
  ];
}

/** Routes Fastify serves as `METHOD /path`, from its route tree; HEAD and the docs themselves left out. */
function registeredRoutes(): string[] {
  const tree = api.runtime.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/\/\//g, '/');
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD' && !path.startsWith('/docs') && path !== '/openapi.json') routes.push(`${method} ${path}`);
    }
  }
  return [...new Set(routes)].sort();
}

function documentedRoutes(): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();
}

t.test('/openapi.json is a valid OpenAPI 3 document', async (t) => {
  t.match(document.openapi, /^3\./);
  // Validation mutates what it is given.
  const result = await validate(structuredClone(document) as never);
  t.ok(result.valid, `valid: ${JSON.stringify((result as { errors?: unknown }).errors ?? [])}`);
});

t.test('every route the api serves is in the document, and nothing else', async (t) => {
  const registered = registeredRoutes();
  t.ok(registered.includes('POST /orders') && registered.includes('GET /health'), 'the route list was read');
  t.same(documentedRoutes(), registered);
});

t.test('every operation documents its error answers in the error shape', async (t) => {
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (['/health', '/ready', '/metrics'].includes(path)) continue;
      const errors = Object.keys(operation.responses).filter((status) => status.startsWith('4'));
      t.ok(errors.length > 0, `${method.toUpperCase()} ${path} lists its 4xx answers`);
      for (const status of errors) {
        const schema = operation.responses[status]!.content?.['application/json']?.schema;
        t.match(schema, { properties: { error: {}, message: {}, request_id: {} } }, `${method} ${path} ${status}`);
      }
    }
  }
});

t.test('every example validates against its own schema', async (t) => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  let checked = 0;
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const media = [
        operation.requestBody?.content['application/json'],
        ...Object.values(operation.responses).map((r) => r.content?.['application/json']),
      ];
      for (const type of media) {
        for (const example of examplesOf(type)) {
          const valid = ajv.validate(type!.schema, example);
          t.ok(valid, `${method} ${path}: ${JSON.stringify(ajv.errors)}`);
          checked++;
        }
      }
    }
  }
  t.ok(checked >= 4, `${checked} examples checked`);
});

t.test('a real order answers as the document says, field for field like its example', async (t) => {
  const create = document.paths['/orders']!.post!;
  const [, , full] = examplesOf(create.requestBody!.content['application/json']) as Record<string, unknown>[];
  const created = await api.request('POST', '/orders', { ...full, id: 'openapi-example' });
  t.equal(created.status, 202);
  const answer = create.responses['202']!.content!['application/json']!;
  const schema = answer.schema;
  const ajv = new Ajv({ strict: false });
  addFormats.default(ajv);
  t.ok(ajv.validate(schema, created.json), JSON.stringify(ajv.errors));
  const example = examplesOf(answer)[0] as Record<string, unknown>;
  t.same(Object.keys(created.json).sort(), Object.keys(example).sort(), 'the example has the fields of a real order');
});

t.test('Swagger UI is served at /docs', async (t) => {
  const page = await fetch(`${api.base}/docs/static/index.html`);
  t.equal(page.status, 200);
  t.match(await page.text(), /swagger-ui/i);
});
