import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { SMTPServer } from 'smtp-server';
import { foldOrder, type OrderEvent } from '@orderflow/core';
import { useTestServers } from '@orderflow/testkit';
import { DEFAULT_MAIL_FROM } from '../src/config.js';
import { composeEmail } from '../src/domain/compose-email.js';
import { createSmtpSender } from '../src/senders/smtp-sender.js';
import {
  captureLog,
  createOrder,
  eventually,
  moveTo,
  newDeployment,
  orderStoreOf,
  recordsOf,
  silentLog,
  startTestNotifier,
} from './support.js';

const servers = await useTestServers(t);

interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: string[];
  readonly user: unknown;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A real SMTP server on 127.0.0.1 (no TLS, AUTH as user/pass) that keeps what it
 * receives; `refuse` makes it answer every message with a 451.
 */
async function startSmtpServer(t: Test, options: { refuse?: boolean } = {}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'user' && auth.password === 'pass') callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.refuse) {
          callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
          return;
        }
        const { headers, body } = parseMessage(Buffer.concat(chunks).toString('utf8'));
        received.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((address) => address.address),
          user: session.user,
          headers,
          body,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(resolve)));
  const { port } = server.server.address() as AddressInfo;
  return { received, url: `smtp://user:pass@127.0.0.1:${port}` };
}

/** Header names lower-cased, folded lines joined; the body decoded if quoted-printable. */
function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (headers['content-transfer-encoding'] === 'quoted-printable') {
    body = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

/** A rejected order of customer ann, as the event store would fold it. */
function rejectedOrder() {
  const at = '2026-03-01T10:00:00.000Z';
  const events: OrderEvent[] = [
    {
      type: 'order.created',
      order_id: 'ord-77',
      seq: 1,
      at,
      data: {
        order: {
          id: 'ord-77',
          customer_id: 'cust-ann',
          customer_email: 'ann@example.com',
          items: [{ sku: 'A-1', quantity: 3 }],
          total_minor: 1_234_567,
          currency: 'EUR',
          priority: 2,
          lane: 'normal',
          created_by: 'ann',
        },
        request_hash: 'h',
      },
    },
    {
      type: 'order.rejected',
      order_id: 'ord-77',
      seq: 2,
      at,
      data: { reasons: [{ rule: 'total_max', message: 'total exceeds 10000.00' }], risk_score: 0.2 },
    },
  ];
  const order = foldOrder(events)!;
  const event = {
    id: 'ord-77:2',
    type: 'order.rejected',
    orderId: 'ord-77',
    seq: 2,
    status: 'rejected',
    traceId: null,
  } as const;
  return { order, event };
}

t.test('the SMTP sender delivers a plain-text mail with the event id as Message-ID', async (t) => {
  const smtp = await startSmtpServer(t);
  const sender = createSmtpSender({ url: smtp.url, from: DEFAULT_MAIL_FROM, timeoutMs: 5_000, log: silentLog });
  t.teardown(() => sender.close());
  const { order, event } = rejectedOrder();
  const to = sender.recipientOf(order)!;

  await sender.send(composeEmail(event, order, to), new AbortController().signal);

  t.equal(smtp.received.length, 1);
  const mail = smtp.received[0]!;
  t.equal(mail.user, 'user', 'authenticated with the URL credentials');
  t.equal(mail.envelopeFrom, 'no-reply@orderflow.local');
  t.same(mail.envelopeTo, ['ann@example.com']);
  t.equal(mail.headers['from'], 'Orderflow <no-reply@orderflow.local>');
  t.equal(mail.headers['to'], 'ann@example.com');
  t.equal(mail.headers['subject'], 'Order #ord-77: rejected');
  t.equal(mail.headers['message-id'], '<ord-77:2@orderflow>');
  t.equal(mail.headers['x-orderflow-event-id'], 'ord-77:2');
  t.match(mail.headers['content-type'], /^text\/plain/);
  t.match(mail.body, 'Your order #ord-77 was rejected.');
  t.match(mail.body, 'Status: rejected');
  t.match(mail.body, 'Total: 12345.67 EUR');
  t.match(mail.body, '- total exceeds 10000.00');
});

t.test('the SMTP sender rejects when the server refuses the mail', async (t) => {
  const smtp = await startSmtpServer(t, { refuse: true });
  const sender = createSmtpSender({ url: smtp.url, from: DEFAULT_MAIL_FROM, timeoutMs: 5_000, log: silentLog });
  t.teardown(() => sender.close());
  const { order, event } = rejectedOrder();

  await t.rejects(sender.send(composeEmail(event, order, 'ann@example.com'), new AbortController().signal), {
    message: /451 mailbox busy/,
  });
});

t.test('with SMTP_URL set the notifier mails the customer address and records it as recipient', async (t) => {
  const smtp = await startSmtpServer(t);
  const log = captureLog();
  const notifier = await startTestNotifier(t, newDeployment(servers), {
    log,
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'Shop <shop@example.com>' },
  });
  const store = orderStoreOf(notifier, notifier.bus);
  const order = await createOrder(store, { customer_id: 'cust-bo', customer_email: 'bo@example.com' });

  const event = await moveTo(store, order.id, 'completed');
  const [record] = await eventually('the sent record', async () => {
    const records = await recordsOf(notifier, order.id);
    return records[0]?.result === 'sent' && records;
  });

  t.match(record, { channel: 'smtp', recipient: 'bo@example.com', attempts: 1 });
  t.equal(smtp.received.length, 1);
  t.equal(smtp.received[0]?.headers['from'], 'Shop <shop@example.com>');
  t.equal(smtp.received[0]?.headers['message-id'], `<${order.id}:${event.seq}@orderflow>`);
  const mails = log.mailLines();
  t.equal(mails.length, 1, 'one mail line');
  t.equal(mails[0]?.message, `Email sent to customer cust-bo for Order #${order.id} - Status: completed`);
  t.notOk(
    log.lines.some((line) => JSON.stringify(line).includes('bo@example.com')),
    'the address is never logged',
  );
});
