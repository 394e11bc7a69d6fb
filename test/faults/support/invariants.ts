import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type MsgHdrs } from '@nats-io/transport-node';
import { foldOrder, isTerminal, TERMINAL_STATUSES, type Order } from '@orderflow/core';
import { toEvent, type EventDocument } from '@orderflow/event-store';
import { readDeadLetter, type Db } from '@orderflow/platform';
import type { MailLine } from './system.js';

/** What the checker reads: the scenario's database, its dead letters and the notifier's mails. */
export interface CheckedSystem {
  readonly scenario: string;
  readonly db: Db;
  readonly nats: { readonly url: string };
  readonly namespace: string;
  readonly orderTtlMs: number;
  /** How often the scheduler looks for orders to expire. */
  readonly expiryIntervalMs: number;
  readonly mails: readonly MailLine[];
}

/** One message in the dead-letter stream. */
export interface DeadLetterInfo {
  /** Original logical subject, e.g. `order.created.normal`. */
  readonly subject: string;
  readonly reason: string;
  readonly deliveries: number;
  readonly consumer: string;
}

/** The outcome of one scenario. The test asserts `lost === 0` and `duplicateEffects === 0`. */
export interface FaultReport {
  readonly scenario: string;
  /** Orders the client sent (each retried until accepted). */
  readonly sent: number;
  /** Orders the api accepted (202, or 200 for a repeat): the ones checked. */
  readonly accepted: number;
  /** Accepted orders in a terminal state. */
  readonly final: number;
  /** Accepted orders still pending or processing, and not yet overdue for expiry. */
  readonly inFlight: number;
  /**
   * Accepted orders with no events, or still open although the scheduler should have
   * expired them (ORDER_TTL_MS + EXPIRY_INTERVAL_MS + EXPIRY_GRACE_MS since their last
   * change); plus effects that never happened: a final order's terminal event without its
   * notification record or mail.
   */
  readonly lost: number;
  /** Effects that happened twice: a second terminal event, notification record or mail. */
  readonly duplicateEffects: number;
  /** Final orders by status. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly deadLetters: readonly DeadLetterInfo[];
  /** Every broken invariant, one line each (the counts above included). */
  readonly violations: readonly string[];
}

type EventDoc = EventDocument;

interface NotificationDoc {
  _id: string;
  event_id: string;
  order_id: string;
  result: string;
}

/** Time the scheduler gets, past ORDER_TTL_MS and one expiry interval, to expire an order. */
export const EXPIRY_GRACE_MS = 60_000;

const MAILED = new Set(['completed', 'failed', 'rejected', 'cancelled']);
const TERMINAL_EVENT_TYPES = new Set<string>(TERMINAL_STATUSES.map((status) => `order.${status}`));

/**
 * Waits until the accepted orders are final, every event is published and every
 * terminal event has its notification — or the deadline passes (the checker then
 * reports what is missing). Returns whether it got quiet.
 */
export async function waitForQuiet(
  system: CheckedSystem,
  orderIds: readonly string[],
  timeoutMs: number,
): Promise<boolean> {
  const wanted = new Set(orderIds);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const quiet = await isQuiet(system, wanted).catch(() => false);
    if (quiet) return true;
    await sleep(1_000);
  }
  return false;
}

/**
 * Only equality counts, which every MongoDB-compatible server answers from its
 * indexes: polled every second over thousands of orders, a scan would slow the very
 * system it waits for. Each scenario has a database of its own.
 */
async function isQuiet(system: CheckedSystem, wanted: ReadonlySet<string>): Promise<boolean> {
  const count = (collection: string, filter: Record<string, unknown>) =>
    system.db.collection(collection).countDocuments(filter);
  const [pending, processing] = await Promise.all([
    count('orders', { status: 'pending' }),
    count('orders', { status: 'processing' }),
  ]);
  if (pending + processing > 0) return false;
  const [total, expired, unpublished, sent, recorded] = await Promise.all([
    count('orders', {}),
    count('orders', { status: 'expired' }),
    count('order_events', { unpublished: true }),
    count('notifications', { result: 'sent' }),
    count('notifications', { result: 'recorded' }),
  ]);
  if (total < wanted.size || unpublished > 0 || sent + recorded < total) return false;
  const mailedOrders = new Set(system.mails.filter((m) => wanted.has(m.orderId)).map((m) => m.orderId));
  return mailedOrders.size >= total - expired;
}

/** Checks every invariant over the accepted orders, their events, snapshots, notifications, mails and dead letters. */
export async function checkInvariants(
  system: CheckedSystem,
  orders: { readonly sent: number; readonly accepted: readonly string[] },
): Promise<FaultReport> {
  const accepted = [...new Set(orders.accepted)];
  const acceptedSet = new Set(accepted);
  const [eventDocs, snapshots, notifications, deadLetters] = await Promise.all([
    system.db.collection<EventDoc>('order_events').find({}).toArray(),
    system.db.collection<{ _id: string; status: string; version: number }>('orders').find({}).toArray(),
    system.db.collection<NotificationDoc>('notifications').find({}).toArray(),
    readDeadLetters(system.nats.url, system.namespace),
  ]);
  const eventsByOrder = groupBy(eventDocs, (e) => e.order_id);
  const snapshotById = new Map(snapshots.map((s) => [s._id, s]));
  const recordsByEvent = groupBy(notifications, (n) => n.event_id);
  const mailsByOrder = groupBy(system.mails, (m) => m.orderId);

  const violations: string[] = [];
  const statuses: Record<string, number> = {};
  let final = 0;
  let inFlight = 0;
  let lost = 0;
  let duplicateEffects = 0;

  for (const orderId of accepted) {
    const docs = (eventsByOrder.get(orderId) ?? []).sort((a, b) => a.seq - b.seq);
    if (docs.length === 0) {
      lost++;
      violations.push(`${orderId}: accepted but has no events`);
      continue;
    }
    docs.forEach((doc, i) => {
      if (doc.seq !== i + 1 || doc._id !== `${orderId}:${doc.seq}`) {
        violations.push(`${orderId}: event ${doc._id} where seq ${i + 1} belongs`);
      }
      if (!doc.published_at) violations.push(`${doc._id} (${doc.type}) was never published`);
    });
    const terminalEvents = docs.filter((d) => TERMINAL_EVENT_TYPES.has(d.type));
    if (terminalEvents.length > 1) {
      duplicateEffects += terminalEvents.length - 1;
      violations.push(
        `${orderId}: ${terminalEvents.length} terminal events (${terminalEvents.map((e) => e.type).join(', ')})`,
      );
    }
    let order: Order | undefined;
    try {
      order = foldOrder(docs.map(toEvent));
    } catch (error) {
      violations.push(`${orderId}: its events do not fold: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!order) continue;
    const snapshot = snapshotById.get(orderId);
    if (snapshot?.status !== order.status || snapshot.version !== order.version) {
      violations.push(
        `${orderId}: snapshot ${snapshot ? `${snapshot.status} v${snapshot.version}` : 'missing'}, events fold to ${order.status} v${order.version}`,
      );
    }
    const mails = mailsByOrder.get(orderId) ?? [];
    if (!isTerminal(order.status)) {
      const idleMs = Date.now() - Date.parse(order.updated_at);
      if (idleMs > system.orderTtlMs) {
        lost++;
        violations.push(
          `${orderId}: still ${order.status} ${idleMs} ms after its last change (TTL ${system.orderTtlMs} ms)`,
        );
      } else {
        inFlight++;
      }
      if (mails.length > 0) violations.push(`${orderId}: mailed while still ${order.status}`);
      continue;
    }
    final++;
    statuses[order.status] = (statuses[order.status] ?? 0) + 1;
    const terminalId = terminalEvents[0]?._id ?? `${orderId}:${order.version}`;
    const records = recordsByEvent.get(terminalId) ?? [];
    if (records.length === 0) {
      lost++;
      violations.push(`${terminalId}: no notification record`);
    } else if (records.length > 1) {
      duplicateEffects += records.length - 1;
      violations.push(`${terminalId}: ${records.length} notification records`);
    }
    const expectedResult = MAILED.has(order.status) ? 'sent' : 'recorded';
    for (const record of records) {
      if (record.result !== expectedResult)
        violations.push(`${terminalId}: notification ${record.result}, not ${expectedResult}`);
    }
    const expectedMails = MAILED.has(order.status) ? 1 : 0;
    if (mails.length < expectedMails) {
      lost++;
      violations.push(`${orderId}: ${order.status} but no mail`);
    } else if (mails.length > expectedMails) {
      duplicateEffects += mails.length - expectedMails;
      violations.push(`${orderId}: ${mails.length} mails for a ${order.status} order`);
    }
    for (const mail of mails) {
      if (mail.status !== order.status)
        violations.push(`${orderId}: mail says ${mail.status}, order is ${order.status}`);
    }
  }
  for (const [orderId, mails] of mailsByOrder) {
    if (!acceptedSet.has(orderId)) violations.push(`${orderId}: ${mails.length} mail(s) for an order never accepted`);
  }
  return {
    scenario: system.scenario,
    sent: orders.sent,
    accepted: accepted.length,
    final,
    inFlight,
    lost,
    duplicateEffects,
    statuses,
    deadLetters,
    violations,
  };
}

/** `scenario <name>: orders sent N, final N, in flight N, lost 0, duplicate effects 0, dead letters N (<reasons>)`. */
export function reportLine(report: FaultReport): string {
  const reasons = new Map<string, number>();
  for (const letter of report.deadLetters) {
    const key = `${letter.subject}: ${letter.reason} [${letter.deliveries} deliveries]`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  const listed = [...reasons].map(([reason, count]) => (count > 1 ? `${count}× ${reason}` : reason)).join('; ');
  return (
    `scenario ${report.scenario}: orders sent ${report.sent}, final ${report.final}, in flight ${report.inFlight}, ` +
    `lost ${report.lost}, duplicate effects ${report.duplicateEffects}, dead letters ${report.deadLetters.length}` +
    (listed ? ` (${listed})` : '')
  );
}

/** Every message of the `<ns>_DLQ` stream, read by sequence. */
export async function readDeadLetters(natsUrl: string, namespace: string): Promise<DeadLetterInfo[]> {
  const nc = await connect({ servers: natsUrl, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = `${namespace}_DLQ`;
    const { state } = (await jsm.streams.info(stream).catch(() => undefined)) ?? {};
    const letters: DeadLetterInfo[] = [];
    if (!state || state.messages === 0) return letters;
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const stored = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!stored) continue;
      const letter = readDeadLetter({ data: stored.data, headers: headersRecord(stored.header) });
      letters.push({
        subject: letter.originalSubject.replace(`${namespace}.`, ''),
        reason: letter.reason,
        deliveries: letter.deliveryCount,
        consumer: letter.consumer,
      });
    }
    return letters;
  } finally {
    await nc.close();
  }
}

function headersRecord(h: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!h) return record;
  for (const key of h.keys()) record[key] = h.get(key);
  return record;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
