import t from 'tap';
import { countsByCommand, storeCountersOf, storeTrafficBetween } from '../src/prometheus.js';

const scrape = (insert: number, update: number, find: number, docs: number) =>
  [
    '# HELP orderflow_mongodb_commands_total MongoDB commands sent',
    '# TYPE orderflow_mongodb_commands_total counter',
    `orderflow_mongodb_commands_total{command="insert"} ${insert}`,
    `orderflow_mongodb_commands_total{command="update"} ${update}`,
    `orderflow_mongodb_commands_total{command="find"} ${find}`,
    `orderflow_mongodb_write_documents_total{command="insert"} ${docs}`,
    'orderflow_http_requests_total{route="/orders"} 5',
  ].join('\n');

t.test('a counter is summed by its command label', async (t) => {
  const counts = countsByCommand(
    scrape(3, 4, 5, 30) + '\norderflow_mongodb_commands_total{command="insert",x="y"} 2',
    'orderflow_mongodb_commands_total',
  );
  t.same(Object.fromEntries(counts!), { insert: 5, update: 4, find: 5 });
});

t.test('an absent counter is undefined, not zero', async (t) => {
  t.equal(countsByCommand('orderflow_http_requests_total 5\n', 'orderflow_mongodb_commands_total'), undefined);
});

t.test('store traffic is the counters delta per order, summed over processes', async (t) => {
  const before = { api: storeCountersOf(scrape(10, 0, 0, 10)), processor: storeCountersOf(scrape(0, 0, 0, 0)) };
  const after = {
    api: storeCountersOf(scrape(110, 100, 0, 210)),
    processor: storeCountersOf(scrape(100, 200, 300, 500)),
  };
  const traffic = storeTrafficBetween(before, after, 100)!;
  t.same(traffic.exposedBy, ['api', 'processor']);
  t.equal(traffic.writesPerOrder, 5);
  t.equal(traffic.statementsPerOrder, 7);
  t.equal(traffic.readsPerOrder, 3);
  t.same(traffic.perProcess, {
    api: { writesPerOrder: 2, readsPerOrder: 0 },
    processor: { writesPerOrder: 3, readsPerOrder: 3 },
  });
});

t.test('without the counter in any process the traffic is null', async (t) => {
  const none = { api: storeCountersOf('up 1\n') };
  t.equal(storeTrafficBetween(none, none, 100), null);
});

t.test('a counter that went down (a restart) counts from zero', async (t) => {
  const traffic = storeTrafficBetween(
    { api: storeCountersOf(scrape(500, 0, 0, 0)) },
    { api: storeCountersOf(scrape(20, 0, 0, 0)) },
    10,
  )!;
  t.equal(traffic.writesPerOrder, 2);
});

t.test('write statements are also read under the platform name write_statements_total', async (t) => {
  const text = (n: number) =>
    `orderflow_mongodb_commands_total{command="update"} ${n}\norderflow_mongodb_write_statements_total{command="update"} ${n * 10}\n`;
  const traffic = storeTrafficBetween({ api: storeCountersOf(text(0)) }, { api: storeCountersOf(text(5)) }, 5)!;
  t.equal(traffic.statementsPerOrder, 10);
});
