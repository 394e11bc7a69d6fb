import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { freePort, uniqueName, useTestServers } from '@orderflow/testkit';
import { eventually } from '../packages/platform/test/support/eventually.js';

// The whole system as `npm start` runs it: five processes, from source.
t.setTimeout(900_000);
const servers = await useTestServers(t);
const root = fileURLToPath(new URL('..', import.meta.url));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/** Starts the local stack against this file's servers and waits for its summary. */
async function startLocal(t: Test, env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--conditions=orderflow-source', '--import', 'tsx', 'scripts/start.ts', '--from-source'],
    {
      cwd: root,
      env: {
        ...process.env,
        NATS_URL: servers.natsUrl,
        MONGO_URL: servers.mongoUrl,
        MONGO_DB: uniqueName('e2e'),
        NATS_NAMESPACE: uniqueName(servers.namespace),
        PORT: String(port),
        SIMULATOR_PORT: String(await freePort()),
        PROCESSOR_OPS_PORT: String(await freePort()),
        NOTIFIER_OPS_PORT: String(await freePort()),
        SCHEDULER_OPS_PORT: String(await freePort()),
        LOG_FORMAT: 'json',
        PAYMENT_DELAY_MS: '0',
        PAYMENT_SETTLE_MS: '200',
        RATE_LIMIT_PER_MIN: '0',
        VALIDATION_THREADS: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => lines.push(line));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await exited;
    }
  });
  await eventually('the local stack to be ready', () => lines.some((l) => l.includes('ready —')), 240_000, 250).catch(
    (error: unknown) => {
      throw new Error(`${String(error)}; its last output:\n${lines.slice(-40).join('\n')}`);
    },
  );
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    exited,
    lines,
    base,
    async post(path: string, body: unknown) {
      const response = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Record<string, any>;
    },
    async get(path: string) {
      return (await (await fetch(base + path)).json()) as Record<string, any>;
    },
  };
}

const shapes = (i: number): Record<string, unknown>[] => [
  { customer_id: `e2e-${i}-a`, items: ['item1'], total: 10, priority: 1 },
  {
    id: uniqueName('e2e'),
    amount: 20,
    items: ['x', 'y'],
    customer: `e2e${i}@example.com`,
    address: '1 Main St',
    priority: 2,
    notes: 'n',
  },
  { customer_id: `e2e-${i}-c`, items: [{ sku: 'A', quantity: 2, unit_price: 15 }], total: 30, priority: 3 },
];

t.test('orders in every shape complete, each with one notification record and one mail', async (t) => {
  const stack = await startLocal(t, { PAYMENT_SUCCESS_RATE: '1' });
  const created: Record<string, any>[] = [];
  for (let i = 0; i < 2; i++) for (const body of shapes(i)) created.push(await stack.post('/orders', body));
  const ids = created.map((o) => String(o.id));
  await eventually(
    'every order completed',
    async () => (await Promise.all(ids.map((id) => stack.get(`/orders/${id}`)))).every((o) => o.status === 'completed'),
    120_000,
    250,
  );
  for (const order of created) {
    const { notifications } = await stack.get(`/orders/${order.id}/notifications`);
    t.equal(notifications.length, 1, `${order.id}: one audit record`);
    t.match(notifications[0], { event_type: 'order.completed', result: 'sent', order_id: order.id });
    // A customer id that is an e-mail address is masked in the line (no addresses in logs).
    const mail = `for Order #${order.id} - Status: completed`;
    const mailLines = () => stack.lines.filter((l) => l.includes('Email sent to customer') && l.includes(mail));
    await eventually('the mail line', () => mailLines().length > 0);
    t.equal(mailLines().length, 1, `${order.id}: one mail`);
  }
});

t.test('with no payment answers, orders expire with an audit record and no mail', async (t) => {
  const stack = await startLocal(t, { PAYMENT_SUCCESS_RATE: '0', ORDER_TTL_MS: '3000', EXPIRY_INTERVAL_MS: '1000' });
  const created: Record<string, any>[] = [];
  for (const body of shapes(9)) created.push(await stack.post('/orders', body));
  await eventually(
    'every order expired',
    async () =>
      (await Promise.all(created.map((o) => stack.get(`/orders/${o.id}`)))).every((o) => o.status === 'expired'),
    120_000,
    250,
  );
  for (const order of created) {
    await eventually(
      'the audit record',
      async () => (await stack.get(`/orders/${order.id}/notifications`)).notifications.length === 1,
    );
    const { notifications } = await stack.get(`/orders/${order.id}/notifications`);
    t.match(notifications, [{ event_type: 'order.expired', result: 'recorded' }]);
    t.notOk(
      stack.lines.some((l) => l.includes(`Order #${order.id} -`)),
      'no mail',
    );
  }
});

t.test('Ctrl-C stops every process it started', async (t) => {
  const stack = await startLocal(t, {});
  const pids = await childPids(stack.child.pid!);
  t.equal(pids.length, 5, 'the simulator and four services');
  stack.child.kill('SIGINT');
  t.equal(await stack.exited, 0);
  await eventually('every child gone', () => pids.every((pid) => !isRunning(pid)), 20_000);
  t.pass('no process left behind');
});
