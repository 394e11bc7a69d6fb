import t from 'tap';
import { eventually, useTestServers } from '@orderflow/testkit';
import { startTestApi } from './support.js';

const servers = await useTestServers(t);

t.test(
  'with the processor behind, creation answers 429 with Retry-After, stores nothing, and recovers as it drains',
  async (t) => {
    const api = await startTestApi(t, servers, { INTAKE_MAX_BACKLOG: '5', RATE_LIMIT_PER_MIN: '0' });
    await api.runtime.busReady;
    const order = (i: number | string) => ({ id: `bp-${i}`, customer_id: 'c-1', items: ['sku-1'], total: 10 });
    for (let i = 0; i < 10; i++) t.equal((await api.request('POST', '/orders', order(i))).status, 202);

    // Nobody takes the normal lane: once the backlog is read, intake closes.
    let attempt = 0;
    const refused = await eventually('a 429', async () => {
      const id = `probe-${++attempt}`;
      const response = await api.request('POST', '/orders', order(id));
      return response.status === 429 ? { ...response, id } : undefined;
    });
    t.match(refused.json, { error: 'overloaded', message: /retry after \d+ s/, request_id: String });
    t.match(refused.headers.get('retry-after'), /^\d+$/);
    t.equal((await api.request('GET', `/orders/bp-${refused.id}`)).status, 404, 'the refused order was not stored');
    t.equal((await api.request('GET', '/orders/bp-3')).status, 200, 'reads are not refused');

    const metrics = await api.request('GET', '/metrics');
    t.match(metrics.text, /orderflow_intake_shed_total\{reason="backlog"[^}]*\} [1-9]/);

    // A processor arrives and works the backlog off: intake opens again by itself.
    const consumption = api.runtime.bus.consume('processor-normal', async () => undefined, { concurrency: 8 });
    t.teardown(() => consumption.stop(0));
    const accepted = await eventually(
      'a 202 again',
      async () => (await api.request('POST', '/orders', order('after'))).status === 202,
      20_000,
      200,
    );
    t.ok(accepted);
  },
);
