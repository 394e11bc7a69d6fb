import t from 'tap';
import { foldOrder, type OrderEvent } from '@orderflow/core';
import { decideOnExisting } from '../src/domain/claim-decision.js';
import { composeEmail, mailLogMessage, maskAddress } from '../src/domain/compose-email.js';
import { isMailed, type TerminalEvent } from '../src/domain/terminal-event.js';
import { traceIdOf } from '../src/domain/trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

t.test('the trace id is the second field of a version 00 traceparent', async (t) => {
  t.equal(traceIdOf({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }), TRACE);
  t.equal(traceIdOf({ Traceparent: `00-${TRACE}-00f067aa0ba902b7-00` }), TRACE, 'any header case');
  t.equal(traceIdOf({ traceparent: `01-${TRACE}-00f067aa0ba902b7-01-extra` }), TRACE, 'later versions may add fields');
});

t.test('a missing or malformed traceparent gives no trace id', async (t) => {
  t.equal(traceIdOf({}), null);
  t.equal(traceIdOf({ traceparent: 'garbage' }), null);
  t.equal(traceIdOf({ traceparent: `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01` }), null, 'upper-case hex');
  t.equal(traceIdOf({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }), null, 'all-zero trace id');
  t.equal(traceIdOf({ traceparent: `00-${TRACE}-${'0'.repeat(16)}-01` }), null, 'all-zero span id');
  t.equal(traceIdOf({ traceparent: `ff-${TRACE}-00f067aa0ba902b7-01` }), null, 'version ff');
  t.equal(traceIdOf({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01-extra` }), null, 'extra fields in version 00');
});

t.test('every terminal status but expired is mailed', async (t) => {
  t.same((['completed', 'failed', 'rejected', 'expired', 'cancelled'] as const).filter(isMailed), [
    'completed',
    'failed',
    'rejected',
    'cancelled',
  ]);
});

t.test('final records are done, failed ones are retried as the next attempt', async (t) => {
  const updated_at = new Date(1_000);
  t.same(decideOnExisting({ result: 'sent', attempts: 1, updated_at }, 2_000, 30_000), { action: 'done' });
  t.same(decideOnExisting({ result: 'recorded', attempts: 0, updated_at }, 2_000, 30_000), { action: 'done' });
  t.same(decideOnExisting({ result: 'failed', attempts: 2, updated_at }, 2_000, 30_000), {
    action: 'retry',
    nextAttempt: 3,
  });
});

t.test('a sending record waits for its owner until it is older than the ack wait', async (t) => {
  const updated_at = new Date(1_000);
  t.same(decideOnExisting({ result: 'sending', attempts: 1, updated_at }, 31_000, 30_000), { action: 'wait' });
  t.same(decideOnExisting({ result: 'sending', attempts: 1, updated_at }, 31_001, 30_000), {
    action: 'retry',
    nextAttempt: 2,
  });
});

t.test('the mail log line names the customer, the order and the status', async (t) => {
  t.equal(
    mailLogMessage('cust-1', 'ord-1', 'completed'),
    'Email sent to customer cust-1 for Order #ord-1 - Status: completed',
  );
});

t.test('a customer id that is an e-mail address is masked in the log line', async (t) => {
  t.equal(maskAddress('ann@example.com'), 'a***@example.com');
  t.equal(maskAddress('cust-1'), 'cust-1');
  t.equal(
    mailLogMessage('ann@example.com', 'ord-1', 'cancelled'),
    'Email sent to customer a***@example.com for Order #ord-1 - Status: cancelled',
  );
});

t.test('the mail of a cancelled order states the status, the total and the reason', async (t) => {
  const at = '2026-03-01T10:00:00.000Z';
  const events: OrderEvent[] = [
    {
      type: 'order.created',
      order_id: 'ord-9',
      seq: 1,
      at,
      data: {
        order: {
          id: 'ord-9',
          customer_id: 'cust-9',
          items: [{ sku: 'A', quantity: 1 }],
          total_minor: 2_550,
          currency: 'USD',
          priority: 2,
          lane: 'normal',
          created_by: 'cust-9',
        },
        request_hash: 'h',
      },
    },
    { type: 'order.cancelled', order_id: 'ord-9', seq: 2, at, data: { reason: 'changed my mind', by: 'cust-9' } },
  ];
  const event: TerminalEvent = {
    id: 'ord-9:2',
    type: 'order.cancelled',
    orderId: 'ord-9',
    seq: 2,
    status: 'cancelled',
    traceId: null,
  };

  const email = composeEmail(event, foldOrder(events)!, 'cust-9');

  t.match(email, { eventId: 'ord-9:2', orderId: 'ord-9', customerId: 'cust-9', to: 'cust-9', status: 'cancelled' });
  t.equal(email.subject, 'Order #ord-9: cancelled');
  t.equal(
    email.text,
    [
      'Hello,',
      '',
      'Your order #ord-9 was cancelled.',
      '',
      'Order: ord-9',
      'Status: cancelled',
      'Total: 25.50 USD',
      'Reason: changed my mind',
      '',
      'Reference: ord-9:2',
      '',
    ].join('\n'),
  );
});
