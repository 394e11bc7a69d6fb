import { availableParallelism } from 'node:os';
import t from 'tap';
import { FERRETDB_CLIENT_CONNECTIONS, ferretPoolSizeFor, stackPoolSize } from '../src/index.js';

t.test('the pools of all processes together stay within what FerretDB can serve', async (t) => {
  for (const processes of [1, 2, 5, 9, 23]) {
    const size = ferretPoolSizeFor(processes);
    t.ok(size * processes <= FERRETDB_CLIENT_CONNECTIONS, `${processes} × ${size}`);
    t.ok((size + 1) * processes > FERRETDB_CLIENT_CONNECTIONS, `${processes} × ${size} is the most that fits`);
  }
  t.equal(ferretPoolSizeFor(100), 2, 'two each at least');
});

t.test('a stack counts one client per api worker and three for the other services', async (t) => {
  t.equal(stackPoolSize({ API_WORKERS: '2' }), String(ferretPoolSizeFor(5)));
  t.equal(stackPoolSize({ API_WORKERS: '1' }), String(ferretPoolSizeFor(4)));
  t.equal(stackPoolSize({}), String(ferretPoolSizeFor(availableParallelism() + 3)), 'a worker per core by default');
});

t.test('a pool size the user set is left alone', async (t) => {
  t.equal(stackPoolSize({ MONGO_MAX_POOL_SIZE: '30' }), undefined);
  t.equal(stackPoolSize({ MONGO_MAX_POOL_SIZE: ' ' }), String(ferretPoolSizeFor(availableParallelism() + 3)));
});
