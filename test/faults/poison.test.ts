import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { eventually } from '@orderflow/testkit';
import { readDeadLetters } from './support/invariants.js';
import { faultScale } from './support/scale.js';
import { startSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
t.setTimeout(scale.fileTimeoutMs);

/** Retries quick enough for a test: a message failing every time is dead-lettered within seconds. */
const MAX_DELIVER = 4;
const BACKOFF_MS = '200,500,1000';
/** An order whose stored history cannot be folded (a completion without a creation): its handler always throws. */
const BROKEN_ORDER = 'broken-order';

/** Messages no consumer can ever handle, and the reason each must be dead-lettered with. */
const POISON: readonly { readonly name: string; readonly data: string; readonly reason: RegExp }[] = [
  { name: 'not JSON', data: '{"id": "half an envelope', reason: /not valid JSON/ },
  {
    name: 'schema-invalid',
    data: JSON.stringify({ hello: 'world', version: 1 }),
    reason: /not an order event envelope/,
  },
  {
    name: 'unknown order',
    data: JSON.stringify({
      id: 'ghost-order:1',
      type: 'order.created',
      version: 1,
      time: new Date().toISOString(),
      order_id: 'ghost-order',
      source: 'faults',
      data: {},
    }),
    reason: /has no events/,
  },
  {
    name: 'always failing',
    data: JSON.stringify({
      id: `${BROKEN_ORDER}:1`,
      type: 'order.created',
      version: 1,
      time: new Date().toISOString(),
      order_id: BROKEN_ORDER,
      source: 'faults',
      data: {},
    }),
    reason: new RegExp(`failed on attempt ${MAX_DELIVER} of ${MAX_DELIVER}`),
  },
];

t.test(
  'poison and an always-failing handler on order.created.normal go to DLQ with reason and delivery count; real orders keep flowing',
  async (t) => {
    const system = await startSystem(t, {
      scenario: 'poison',
      env: { RETRY_MAX_DELIVER: String(MAX_DELIVER), RETRY_BACKOFF_MS: BACKOFF_MS },
    });
    await system.db.collection<{ _id: string; [field: string]: unknown }>('order_events').insertOne({
      _id: `${BROKEN_ORDER}:1`,
      order_id: BROKEN_ORDER,
      seq: 1,
      type: 'order.completed',
      at: new Date(),
      data: {},
      published_at: new Date(),
    });
    const load = system.load('poison', Math.ceil(scale.orders / 2), { spreadOverMs: 6_000 });
    await sleep(1_500);

    const nc = await connect({ servers: system.nats.url });
    try {
      const js = jetstream(nc);
      for (const [i, poison] of POISON.entries()) {
        await js.publish(`${system.namespace}.order.created.normal`, poison.data, { msgID: `poison-${i}` });
        await sleep(300);
      }
    } finally {
      await nc.close();
    }

    // The always-failing one takes its retries first.
    await eventually(
      'every poison message dead-lettered',
      async () => (await readDeadLetters(system.nats.url, system.namespace)).length >= POISON.length,
      60_000,
      500,
    );
    const report = await verifyScenario(t, system, [load], {
      settleTimeoutMs: scale.settleTimeoutMs,
      allFinal: true,
      statuses: ['completed'],
      deadLetters: (report) => report.deadLetters.length === POISON.length,
    });
    for (const poison of POISON) {
      const letter = report.deadLetters.find((l) => poison.reason.test(l.reason));
      const deliveries = poison.name === 'always failing' ? MAX_DELIVER : 1;
      t.match(
        letter,
        { subject: 'order.created.normal', consumer: 'processor-normal', deliveries },
        `the ${poison.name} message is a dead letter after ${deliveries} deliveries: "${letter?.reason}"`,
      );
    }
  },
);
