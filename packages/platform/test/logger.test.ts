import { Writable } from 'node:stream';
import Fastify from 'fastify';
import t from 'tap';
import { createLogger } from '@orderflow/platform';

function capture() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

t.test('lines are ECS JSON naming the service, its dataset and errors as error.*', async (t) => {
  const { lines, destination } = capture();
  const log = createLogger({ service: 'processor', version: '1.2.3', environment: 'test', level: 'info', destination });
  log.error({ err: new TypeError('boom'), 'order.id': 'o-1', password: 'hunter2' }, 'it failed');
  const [line] = lines;
  t.equal(line?.['service.name'], 'processor');
  t.equal(line?.['service.version'], '1.2.3');
  t.equal(line?.['service.environment'], 'test');
  t.equal(line?.['event.dataset'], 'orderflow.processor');
  t.equal(line?.['log.level'], 'error');
  t.equal(line?.['order.id'], 'o-1');
  t.same(line?.error?.type, 'TypeError');
  t.same(line?.error?.message, 'boom');
  t.type(line?.error?.stack_trace, 'string');
  t.equal(line?.password, '[redacted]', 'secrets are redacted');
});

t.test('request lines carry the method and path, never the query, headers or body', async (t) => {
  const { lines, destination } = capture();
  const log = createLogger({ service: 'api', version: '0', environment: 'test', level: 'info', destination });
  const app = Fastify({ loggerInstance: log });
  app.post('/orders/:id', async () => ({ ok: true }));
  await app.inject({
    method: 'POST',
    url: '/orders/jane@example.com?customer_id=jane@example.com',
    headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json' },
    payload: { customer_email: 'jane@example.com' },
  });
  await app.close();
  const incoming = lines.find((line) => line.message === 'incoming request');
  t.equal(incoming?.http?.request?.method, 'POST');
  t.equal(incoming?.url?.path, '/orders/[email]', 'the path, with e-mail addresses masked');
  const completed = lines.find((line) => line.message === 'request completed');
  t.equal(completed?.http?.response?.status_code, 200);
  const text = JSON.stringify(lines);
  t.notOk(text.includes('example.com'), 'no e-mail address in any line');
  t.notOk(text.includes('secret-token'), 'no header values of the request');
});
