import t from 'tap';
import { showCommand } from '../src/commands/show.js';
import { createDlqFixture, startDlqServer } from './support/dlq-fixture.js';

const server = await startDlqServer(t);

t.test('show prints the reason, the stored headers and the JSON body pretty-printed', async (t) => {
  const f = await createDlqFixture(t, server);
  const [seq] = await f.deadLetter({
    subject: 'order.created.high',
    durable: 'test-high',
    data: JSON.stringify({ id: 'evt-1', order_id: 'o-1' }),
    options: { msgId: 'evt-1', headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
  });

  const code = await showCommand(f.deps(), { seq: seq!, json: false });

  const text = f.out.text();
  t.equal(code, 0);
  t.match(text, new RegExp(`^Dead letter ${seq} \\(${f.namespace}\\.dlq\\.order\\.created\\.high, stored `));
  t.match(text, /subject\s+order\.created\.high/);
  t.match(text, /consumer\s+test-high/);
  t.match(text, /deliveries\s+1/);
  t.match(text, /msg id\s+evt-1/);
  t.match(text, /reason\s+cannot be handled: bad/);
  t.match(text, /Orderflow-Dlq-Reason: cannot be handled: bad/);
  t.match(text, /Orderflow-Dlq-Msg-Id: evt-1/);
  t.match(text, /traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01/);
  t.match(text, /Body \(JSON, \d+ bytes\):\n\{\n {2}"id": "evt-1",\n {2}"order_id": "o-1"\n\}/);
});

t.test('show --json prints the dead letter as one JSON document', async (t) => {
  const f = await createDlqFixture(t, server);
  const [seq] = await f.deadLetter({
    subject: 'payment.event.o-1',
    durable: 'test-payments',
    data: '{"status":"approved"}',
    options: { msgId: 'pay-1' },
  });

  await showCommand(f.deps(), { seq: seq!, json: true });

  t.match(JSON.parse(f.out.text()), {
    seq,
    subject: 'payment.event.o-1',
    consumer: 'test-payments',
    deliveries: 1,
    msg_id: 'pay-1',
    reason: 'cannot be handled: bad',
    headers: { 'Orderflow-Dlq-Subject': 'payment.event.o-1', 'Orderflow-Dlq-Msg-Id': 'pay-1' },
    body: { encoding: 'json', value: { status: 'approved' } },
  });
});

t.test('show prints a text body as text and a binary body as a hex dump', async (t) => {
  const f = await createDlqFixture(t, server);
  const [textSeq] = await f.deadLetter({ subject: 'order.created.high', durable: 'test-high', data: 'not json' });
  const [binarySeq] = await f.deadLetter({
    subject: 'order.created.high',
    durable: 'test-high',
    data: new Uint8Array([0x00, 0xff, 0x41, 0x42]),
  });

  await showCommand(f.deps(), { seq: textSeq!, json: false });
  const text = f.out.text();
  f.out.lines.length = 0;
  await showCommand(f.deps(), { seq: binarySeq!, json: false });
  const binary = f.out.text();

  t.match(text, /Body \(text, 8 bytes\):\nnot json$/);
  t.match(binary, /Body \(binary, 4 bytes\):\n00000000 {2}00 ff 41 42 {38}\.\.AB$/);
});

t.test('show of a sequence that is not in DLQ says so and exits 1', async (t) => {
  const f = await createDlqFixture(t, server);

  const code = await showCommand(f.deps(), { seq: 42, json: false });

  t.equal(code, 1);
  t.same(f.out.lines, []);
  t.match(f.out.notes.join('\n'), /No dead letter 42/);
});
