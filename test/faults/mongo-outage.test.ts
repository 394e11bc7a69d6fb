import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { defaultOrder, post } from './support/load.js';
import { answersBetween, statusCounts, takeDown, waitReadiness } from './support/probes.js';
import { faultScale } from './support/scale.js';
import { SERVICE_NAMES, startSystem } from './support/system.js';
import { verifyScenario } from './support/verify.js';

const scale = faultScale();
t.setTimeout(scale.fileTimeoutMs);

/** While MongoDB is down the api answers 503 with Retry-After, within this long. */
const UNAVAILABLE_WITHIN_MS = 5_000;

t.test('MongoDB down for a while: 503 with Retry-After, every service unready, then recovery by itself', async (t) => {
  const system = await startSystem(t, { scenario: 'mongo-outage' });
  const services = SERVICE_NAMES.map((name) => system[name]);
  const half = Math.ceil(scale.orders / 2);
  const before = system.load('mb', half, { spreadOverMs: 5_000 });
  await sleep(2_500);

  const stopMs = await takeDown(system.mongo, 'SIGTERM');
  const downAt = Date.now();
  t.comment(`FerretDB stopped (SIGTERM, ${stopMs} ms to exit) with orders in flight`);
  // Clients keep sending; each order is retried (same key) until MongoDB is back.
  const during = system.load('md', half, { spreadOverMs: scale.outageMs });
  const probe = await post(system.apiBase, defaultOrder(0, 'mongo-probe'));
  t.equal(probe.answer.status, 503, 'a new order is refused with 503');
  t.ok(probe.answer.retryAfter, `with Retry-After: ${probe.answer.retryAfter}`);
  t.ok(probe.answer.ms < UNAVAILABLE_WITHIN_MS, `within ${UNAVAILABLE_WITHIN_MS} ms (took ${probe.answer.ms} ms)`);
  const unreadyMs = await waitReadiness(services, 503, 20_000);
  t.pass(`/ready of every service turned 503 (${unreadyMs} ms after the probe's answer)`);

  await sleep(Math.max(0, downAt + scale.outageMs - Date.now()));
  const upAt = Date.now();
  await system.mongo.restart();

  // Answers to requests made and answered while it was down.
  const refusals = answersBetween([...before.answers, ...during.answers], downAt, upAt).filter(
    (a) => a.startedAt + a.ms < upAt,
  );
  t.ok(refusals.length > 0, `${refusals.length} answers while MongoDB was down`);
  t.same(statusCounts(refusals), { 503: refusals.length }, 'each a 503');
  t.ok(
    refusals.every((a) => a.retryAfter !== null),
    'each with Retry-After',
  );
  const slowestMs = Math.max(0, ...refusals.map((a) => a.ms));
  t.ok(slowestMs < UNAVAILABLE_WITHIN_MS, `each within ${UNAVAILABLE_WITHIN_MS} ms (slowest ${slowestMs} ms)`);

  const readyMs = await waitReadiness(services, 200, 60_000);
  t.pass(`every service ready again ${readyMs} ms after MongoDB returned, none restarted`);
  t.same(
    services.map((s) => s.runs),
    services.map(() => 1),
    'no service was restarted',
  );
  await verifyScenario(t, system, [before, during], {
    settleTimeoutMs: scale.settleTimeoutMs,
    allFinal: true,
    statuses: ['completed'],
  });
});
