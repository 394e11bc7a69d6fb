import t from 'tap';
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { useTestServers } from '@orderflow/testkit';
import { idempotencyKey, userIdHeader, validBody } from './support/arbitraries.js';
import { expectError, expectNoServerError, PropertyFailure } from './support/answers.js';
import { createChecker, judgeJsonBytes } from './support/create-check.js';
import { deeplyNested, hugeString, jsonGarbage, withHostileKey, wronglyTyped } from './support/garbage.js';
import { createHttpClient, createTally, type Answer, type Sent } from './support/http-client.js';
import { createOrderModel } from './support/order-model.js';
import { hostileKeyPaths, ID_PATTERN, judgeCreate } from './support/order-oracle.js';
import { cleanHeaderValue, contentTypeCase, headerCase, invalidUtf8Body } from './support/raw-requests.js';
import { cancelBodyValid, judgeQuery, pathCase, queryParam, queryString } from './support/read-requests.js';
import { renderWebhook, signatureFor, signatureIsValid, signatureKind, webhookBody } from './support/webhooks.js';
import { registerKnownBugs } from './support/known-bugs.js';
import { propertyRunner } from './support/property.js';
import { SECRET, startTestApi } from './support.js';

/**
 * Property-based tests of the api's edges with hostile input, over real HTTP against real
 * NATS and MongoDB. Replay a failure with FC_SEED=<seed> (printed below); FC_SCALE=<n>
 * multiplies every property's number of runs; HOSTILE_KNOWN_BUGS=1 runs the properties the
 * api breaks today (support/known-bugs.ts), which are otherwise `todo`.
 */
const DEFAULT_SEED = 20_240_611;
const seed = Number(process.env.FC_SEED ?? DEFAULT_SEED);
const scale = Number(process.env.FC_SCALE ?? 1);
const MAX_BODY_BYTES = 8_192;
const startedMs = Date.now();
// About a minute on an idle 2-core machine. A guard against a hang, not a speed check:
// a machine busy with other suites takes several times longer.
t.setTimeout(900_000);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

const servers = await useTestServers(t);
const api = await startTestApi(t, servers, { RATE_LIMIT_PER_MIN: '0', MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
const tally = createTally();
const client = createHttpClient(api.base, tally);
t.teardown(() => client.close());
const model = createOrderModel();
const checker = createChecker(client, model, MAX_BODY_BYTES);
const runner = propertyRunner(seed, scale);
const holds = runner.holds;

t.test('arbitrary JSON as a create body is refused with 400, never a 5xx', async (t) => {
  await holds(t, jsonGarbage, 600, async (value) => {
    await checker.post('1a json values', { body: JSON.stringify(value) ?? 'null' });
  });
});

t.test('a field of the wrong type is refused with 400 naming that field', async (t) => {
  await holds(t, wronglyTyped, 500, async ({ body, field }) => {
    const { sent, answer } = await checker.post('1b wrong types', { body: JSON.stringify(body) });
    const fields = (answer.json.details as { field: string }[]).map((d) => d.field);
    if (!fields.includes(field)) throw new PropertyFailure(`details must name ${field}`, sent, answer);
  });
});

t.test('keys starting with $, containing a dot or naming prototypes are refused at any depth', async (t) => {
  await holds(t, withHostileKey, 500, async (body) => {
    const { sent, answer } = await checker.post('1c hostile keys', { body: JSON.stringify(body) });
    if (answer.status < 400) throw new PropertyFailure('a body with an extra key was accepted', sent, answer);
  });
});

t.test('JSON nested up to 1,000 levels deep is refused with 400 or 413', async (t) => {
  await holds(t, deeplyNested, 150, async (body) => {
    await checker.post('1d deep nesting', { body });
  });
});

t.test('strings up to and over MAX_BODY_BYTES are answered as their length and the limits say', async (t) => {
  await holds(t, hugeString(MAX_BODY_BYTES), 200, async (body) => {
    await checker.post('1e huge strings', { body: JSON.stringify(body) });
  });
});

t.test('ill-formed UTF-8 in a create body never gets a 5xx', async (t) => {
  await holds(t, invalidUtf8Body, 200, async (body) => {
    await checker.post('1f invalid utf-8', { body });
  });
});

t.test('a create body under a content type other than JSON is refused with 415', async (t) => {
  await holds(t, contentTypeCase, 250, async ({ contentType, json, body }) => {
    await checker.post('1g content types', { body, contentType, json });
  });
});

/** The message of a request Node's HTTP parser refused (`answerClientError`). */
const PARSER_REFUSAL = 'the request is not valid HTTP';
let rawSequence = 0;
t.test('CR, LF, NUL and oversized header values never get a 5xx nor add a header to the answer', async (t) => {
  await holds(t, headerCase, 300, async ({ name, value, duplicate }) => {
    const unique = `raw${process.pid}-${++rawSequence}`;
    const isKey = name.toLowerCase() === 'idempotency-key';
    const sentValue = isKey ? `${unique}-${value}` : value;
    const body = JSON.stringify({ customer_id: unique, items: ['a'], total: 1 });
    const lines = [
      'POST /orders HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: close',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `${name}: ${sentValue}`,
      ...(duplicate ? [`${name}: second`] : []),
    ];
    const head = Buffer.from(lines.join('\r\n'), 'latin1');
    const sent: Sent = { method: 'POST', path: '/orders', headers: { [name]: sentValue }, body };
    const answer = await client.sendRaw('1h header injection', head, Buffer.from(body));
    if (answer.status === 0 || answer.status >= 500) throw new PropertyFailure('no answer or a 5xx', sent, answer);
    if (answer.headers['x-injected'] !== undefined) throw new PropertyFailure('a header was injected', sent, answer);
    if ((answer.answers ?? 1) !== 1) throw new PropertyFailure('a smuggled second request was answered', sent, answer);
    if (answer.json?.message === PARSER_REFUSAL || answer.status === 431) {
      // Refused by Node's HTTP parser before any route ran: the error shape all the same.
      return expectError(sent, answer, answer.status === 431 ? 431 : 400, ['bad_request']);
    }
    const clean = duplicate ? undefined : cleanHeaderValue(sentValue);
    if (clean === undefined) {
      expectNoServerError(sent, answer);
      // Accepted with a value Node joined or rewrote: still an order that now exists.
      const verdict = judgeCreate(JSON.parse(body));
      if (answer.status === 202 && verdict.valid) model.created(String(answer.json.id), verdict.order);
      return;
    }
    const headers = isKey ? { idempotencyKey: clean } : { userId: clean };
    await checker.check(
      '1h header injection',
      sent,
      answer,
      { kind: 'judged', verdict: judgeCreate(JSON.parse(body), headers) },
      headers.idempotencyKey,
    );
  });
});

const pagesChecked = { pages: 0, orders: 0 };

/** A 200 page must hold only orders matching the filters, newest first, at most `limit`. */
function checkPage(sent: Sent, answer: Answer, filters: Record<string, string | undefined>) {
  const { orders, next_cursor } = answer.json ?? {};
  if (!Array.isArray(orders)) throw new PropertyFailure('a page has an orders array', sent, answer);
  if (next_cursor !== null && typeof next_cursor !== 'string') throw new PropertyFailure('next_cursor', sent, answer);
  const limit = filters.limit === undefined ? 50 : Number(filters.limit);
  if (orders.length > limit) throw new PropertyFailure(`more than ${limit} orders`, sent, answer);
  pagesChecked.pages++;
  pagesChecked.orders += orders.length;
  for (const [i, order] of (orders as Record<string, unknown>[]).entries()) {
    for (const field of ['status', 'lane', 'customer_id'] as const) {
      const wanted = filters[field];
      if (wanted !== undefined && order[field] !== wanted)
        throw new PropertyFailure(`order ${i} breaks the ${field} filter`, sent, answer);
    }
    const previous = orders[i - 1] as { created_at: string } | undefined;
    if (previous && previous.created_at < String(order.created_at))
      throw new PropertyFailure('not newest first', sent, answer);
  }
}

t.test('GET /orders: unknown or repeated keys and bad values are 400, the rest a filtered page', async (t) => {
  await holds(t, fc.array(queryParam, { maxLength: 5 }), 500, async (params) => {
    const sent: Sent = { method: 'GET', path: `/orders${queryString(params)}` };
    const answer = await client.send('3 list queries', sent);
    expectNoServerError(sent, answer);
    const verdict = judgeQuery(params);
    if (verdict === 'invalid' || answer.status !== 200) {
      if (verdict === 'valid') throw new PropertyFailure('a valid query must be 200', sent, answer);
      return expectError(sent, answer, 400, ['validation_error']);
    }
    checkPage(sent, answer, Object.fromEntries(params.map((p) => [p.key, p.value])));
  });
});

const validCase = fc.record({
  path: fc.constantFrom('/orders' as const, '/api/orders' as const),
  body: validBody(),
  userId: fc.option(userIdHeader, { nil: undefined }),
  key: fc.option(idempotencyKey, { nil: undefined }),
  repeat: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

t.test('valid creates in every accepted shape are 202 (200 on an exact repeat) and stored as sent', async (t) => {
  await holds(t, validCase, 800, async ({ path, body, userId, key, repeat }) => {
    // Precedence between a body id and an Idempotency-Key is not specified: never both.
    const headers = { userId, idempotencyKey: body.id === undefined ? key : undefined };
    const bytes = Buffer.from(JSON.stringify(body));
    const expected = judgeJsonBytes(bytes, headers, MAX_BODY_BYTES);
    if (expected.kind !== 'judged' || !expected.verdict.valid) {
      throw new PropertyFailure(`the generator made an invalid body (${JSON.stringify(expected)})`, bytes.toString());
    }
    await checker.post('2 valid creates', { path, body: bytes, headers });
    if (repeat) await checker.post('2 valid creates', { path, body: bytes, headers });
  });
});

t.test('arbitrary ids in /orders/{id} paths get 400, 404 or the order, never a 5xx', async (t) => {
  const fitting = pathCase.filter((c) => typeof c.id !== 'string' || encodeURIComponent(c.id).length <= 100);
  await holds(t, fitting, 600, async ({ id: ref, route, cancelBody }) => {
    const ids = model.ids();
    const id = typeof ref === 'string' ? ref : (ids[ref.existing % Math.max(ids.length, 1)] ?? 'none');
    const base = `/orders/${encodeURIComponent(id)}`;
    const sent: Sent =
      route === 'cancel'
        ? {
            method: 'POST',
            path: `${base}/cancel`,
            ...(cancelBody === undefined
              ? {}
              : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(cancelBody) }),
          }
        : { method: 'GET', path: route === 'get' ? base : `${base}/${route}` };
    const answer = await client.send('4 path params', sent);
    expectNoServerError(sent, answer);
    if (!ID_PATTERN.test(id) || (route === 'cancel' && !cancelBodyValid(cancelBody))) {
      return expectError(sent, answer, 400, ['validation_error', 'invalid_json']);
    }
    if (!model.has(id)) return expectError(sent, answer, 404, ['not_found']);
    if (route === 'cancel' && model.isCancelled(id)) return expectError(sent, answer, 409, ['order_terminal']);
    if (answer.status !== 200) throw new PropertyFailure('an existing order must be 200', sent, answer);
    const shownId = route === 'get' || route === 'cancel' ? answer.json.id : answer.json.order_id;
    if (shownId !== id) throw new PropertyFailure('the answer is about another order', sent, answer);
    if (route === 'cancel') {
      model.cancelled(id);
      const reason = (cancelBody as { reason?: string } | null | undefined)?.reason ?? 'cancelled by the client';
      if (answer.json.status !== 'cancelled' || answer.json.status_reason !== reason) {
        throw new PropertyFailure('a cancelled order shows status and reason', sent, answer);
      }
    }
  });
});

/** Resolves to the bus once the api's NATS connection is up. */
async function connectedBus() {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return api.runtime.bus;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const resolveOrder = (ref: string | { existing: number }) => {
  if (typeof ref === 'string') return ref;
  const ids = model.ids().filter((id) => ID_PATTERN.test(id));
  return ids[ref.existing % Math.max(ids.length, 1)] ?? 'no-orders';
};

async function sendWebhook(property: string, raw: Buffer, signature: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-signature'] = signature;
  const sent: Sent = { method: 'POST', path: '/webhooks/payments', headers, body: raw };
  return { sent, answer: await client.send(property, sent) };
}

t.test('webhooks with a bad or missing signature are 401 and publish nothing', async (t) => {
  const bus = await connectedBus();
  const before = await bus.backlog('processor-payments');
  const invalid = signatureKind.filter((kind) => !signatureIsValid(kind));
  await holds(t, fc.tuple(webhookBody, invalid), 300, async ([body, kind]) => {
    const { raw } = renderWebhook(body, resolveOrder, MAX_BODY_BYTES);
    const { sent, answer } = await sendWebhook('5a webhooks, bad signature', raw, signatureFor(kind, raw, SECRET));
    if (raw.length > MAX_BODY_BYTES) return expectError(sent, answer, 413, ['payload_too_large']);
    expectError(sent, answer, 401, ['invalid_signature']);
  });
  t.same(await bus.backlog('processor-payments'), before, 'nothing was published');
});

t.test('signed webhooks: 202 for a known order, a retryable 503 for an unknown one, 400 if malformed', async (t) => {
  const bus = await connectedBus();
  const before = await bus.backlog('processor-payments');
  const accepted = new Set<string>();
  const valid = signatureKind.filter(signatureIsValid);
  await holds(t, fc.tuple(webhookBody, valid), 500, async ([body, kind]) => {
    const { raw, validity, event } = renderWebhook(body, resolveOrder, MAX_BODY_BYTES);
    const { sent, answer } = await sendWebhook('5b webhooks, signed', raw, signatureFor(kind, raw, SECRET));
    if (answer.status >= 500 && !(answer.status === 503 && answer.json?.error === 'order_unknown')) {
      throw new PropertyFailure('a 5xx other than the retryable 503 for an unknown order', sent, answer);
    }
    if (raw.length > MAX_BODY_BYTES) return expectError(sent, answer, 413, ['payload_too_large']);
    if (validity === 'not-json') return expectError(sent, answer, 400, ['invalid_json']);
    if (validity === 'invalid' || (validity === 'either' && answer.status === 400)) {
      return expectError(sent, answer, 400, ['validation_error']);
    }
    const orderId = String(event?.order_id);
    if (!model.has(orderId)) {
      expectError(sent, answer, 503, ['order_unknown']);
      if (answer.headers['retry-after'] !== '5') throw new PropertyFailure('a 503 says when to retry', sent, answer);
      return;
    }
    const eventId = String(event?.event_id);
    const expected = { status: 'accepted', event_id: eventId, duplicate: accepted.has(eventId) };
    if (answer.status !== 202 || JSON.stringify(answer.json) !== JSON.stringify(expected)) {
      throw new PropertyFailure(`expected 202 ${JSON.stringify(expected)}`, sent, answer);
    }
    accepted.add(eventId);
  });
  const after = await bus.backlog('processor-payments');
  t.equal(after.pending - before.pending, accepted.size, 'each accepted event was published exactly once');
});

registerKnownBugs(t, {
  client,
  checker,
  runner,
  maxBodyBytes: MAX_BODY_BYTES,
  secret: SECRET,
  existingOrderId: () => resolveOrder({ existing: 0 }),
});

t.test('no operator key ever reaches the database, and every 202 stored exactly one order', async (t) => {
  const mongo = await MongoClient.connect(servers.mongoUrl);
  t.teardown(() => mongo.close());
  const db = mongo.db(servers.dbName);
  for (const name of ['orders', 'order_events']) {
    let documents = 0;
    for await (const doc of db.collection(name).find()) {
      documents++;
      const hostile = hostileKeyPaths(doc);
      if (hostile.length > 0) t.fail(`${name} ${String(doc._id)} holds keys ${hostile.join(', ')}`);
    }
    t.ok(documents > 0, `${documents} ${name} documents scanned`);
  }
  t.equal(await db.collection('orders').countDocuments(), tally.created, 'one stored order per 202');
  t.equal(await db.collection('order_events').countDocuments({ seq: 1 }), tally.created, 'one order.created per 202');
});

t.test('report', async (t) => {
  for (const line of tally.lines()) t.comment(line);
  t.comment(`list pages checked against their filters: ${pagesChecked.pages}, holding ${pagesChecked.orders} orders`);
  t.comment(`${tally.total} requests in ${((Date.now() - startedMs) / 1_000).toFixed(1)} s; seed ${seed}`);
  t.ok(tally.total >= 5_000 * Math.min(scale, 1), `${tally.total} requests sent`);
});
