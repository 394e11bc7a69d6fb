import { setTimeout as sleep } from 'node:timers/promises';
import type { Order } from '@orderflow/core';
import { decideOnExisting } from './claim-decision.js';
import { composeEmail } from './compose-email.js';
import type { EmailSender } from './email-sender.js';
import { newRecord, type NotificationResult } from './notification-record.js';
import type { Delivery, NotificationStore } from './notification-store.js';
import { isMailed, type TerminalEvent } from './terminal-event.js';

export interface NotifyOrderDependencies {
  /** The order as of its event `seq` or later. */
  readonly loadOrder: (orderId: string, seq: number) => Promise<Order | undefined>;
  readonly notifications: NotificationStore;
  readonly sender: EmailSender;
  /** Ack wait of the terminal consumers: a `sending` claim older than this was abandoned. */
  readonly ackWaitMs: number;
  readonly now?: () => number;
}

/**
 * How handling one terminal event ended. `sent`, `recorded` and `duplicate` are done;
 * `busy` and `failed` are worth retrying later; `unknown_order` and `unaddressable`
 * never will be.
 */
export type NotifyOutcome =
  | { readonly outcome: 'sent'; readonly attempt: number }
  | { readonly outcome: 'recorded' }
  | { readonly outcome: 'duplicate'; readonly result: NotificationResult }
  | { readonly outcome: 'busy'; readonly reason: string }
  | { readonly outcome: 'failed'; readonly attempt: number; readonly error: unknown }
  | { readonly outcome: 'unknown_order' }
  | { readonly outcome: 'unaddressable'; readonly reason: string };

type Claim =
  | { readonly kind: 'claimed'; readonly attempt: number }
  | { readonly kind: 'done'; readonly result: NotificationResult }
  | { readonly kind: 'busy'; readonly reason: string };

/** Attempt numbers tried past abandoned claims before giving up for this delivery. */
const MAX_ABANDONED_CLAIMS = 20;
/** Pauses between tries to record a mail that went out, while the store does not answer. */
const RECORD_RETRY_MIN_MS = 250;
const RECORD_RETRY_MAX_MS = 2_000;

/**
 * The notification use case (SPEC §6): exactly one mail per event id, whatever the
 * redeliveries and replicas. The record is inserted first as the claim (the unique
 * event id makes it atomic); later attempts are claimed by unique inserts too, never by
 * a conditional update, which some servers do not apply atomically.
 */
export function createNotifyOrder(deps: NotifyOrderDependencies) {
  const { notifications, sender, ackWaitMs } = deps;
  const now = deps.now ?? Date.now;

  async function claimRetry(eventId: string, firstAttempt: number, delivery: Delivery): Promise<Claim> {
    for (let attempt = firstAttempt; attempt < firstAttempt + MAX_ABANDONED_CLAIMS; attempt++) {
      const at = new Date(now());
      const claim = await notifications.claimAttempt(eventId, attempt, at);
      if (claim.claimed) {
        await notifications.markSending(eventId, attempt, delivery, at);
        return { kind: 'claimed', attempt };
      }
      // Its owner died between claiming and marking the record: try the next number.
      if (at.getTime() - claim.claimedAt.getTime() <= ackWaitMs) {
        return { kind: 'busy', reason: `attempt ${attempt} is being made by another instance` };
      }
    }
    return { kind: 'busy', reason: `${MAX_ABANDONED_CLAIMS} abandoned attempts in a row` };
  }

  async function claim(eventId: string, inserted: boolean, delivery: Delivery): Promise<Claim> {
    if (inserted) return { kind: 'claimed', attempt: 1 };
    const existing = await notifications.find(eventId);
    if (!existing) return { kind: 'busy', reason: 'the record vanished after a duplicate insert' };
    const decision = decideOnExisting(existing, now(), ackWaitMs);
    if (decision.action === 'done') return { kind: 'done', result: existing.result };
    if (decision.action === 'wait') return { kind: 'busy', reason: 'another instance is sending this mail' };
    return claimRetry(eventId, decision.nextAttempt, delivery);
  }

  /**
   * Records a mail that went out as sent, retrying while the store fails: given up, the
   * record would stay `sending` and a later delivery would mail again. `keepAlive` tells
   * the bus the message is still being worked on meanwhile, so it is not redelivered.
   * Only shutdown (`signal`) gives up, leaving the rare repeat to the next delivery.
   */
  async function recordSent(eventId: string, attempt: number, signal: AbortSignal, keepAlive?: () => void) {
    for (let pauseMs = RECORD_RETRY_MIN_MS; ; pauseMs = Math.min(RECORD_RETRY_MAX_MS, pauseMs * 2)) {
      try {
        await notifications.markSent(eventId, attempt, new Date(now()));
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        keepAlive?.();
        await sleep(pauseMs, undefined, { signal }).catch(() => {
          throw error;
        });
      }
    }
  }

  return async function notifyOrder(
    event: TerminalEvent,
    signal: AbortSignal,
    keepAlive?: () => void,
  ): Promise<NotifyOutcome> {
    const order = await deps.loadOrder(event.orderId, event.seq);
    if (!order) return { outcome: 'unknown_order' };

    if (!isMailed(event.status)) {
      const record = newRecord({
        event,
        order,
        recipient: null,
        channel: null,
        result: 'recorded',
        now: new Date(now()),
      });
      if (await notifications.insert(record)) return { outcome: 'recorded' };
      return { outcome: 'duplicate', result: (await notifications.find(event.id))?.result ?? 'recorded' };
    }

    const recipient = sender.recipientOf(order);
    signal.throwIfAborted();
    const record = newRecord({
      event,
      order,
      recipient: recipient ?? null,
      channel: sender.name,
      result: 'sending',
      now: new Date(now()),
    });
    const claimed = await claim(event.id, await notifications.insert(record), record);
    if (claimed.kind === 'done') return { outcome: 'duplicate', result: claimed.result };
    if (claimed.kind === 'busy') return { outcome: 'busy', reason: claimed.reason };

    if (recipient === undefined) {
      const reason = `the ${sender.name} sender has no address for customer ${order.customer_id}`;
      await notifications.markFailed(event.id, claimed.attempt, reason, new Date(now()));
      return { outcome: 'unaddressable', reason };
    }
    try {
      await sender.send(composeEmail(event, order, recipient), signal);
    } catch (error) {
      await notifications.markFailed(event.id, claimed.attempt, messageOf(error), new Date(now()));
      return { outcome: 'failed', attempt: claimed.attempt, error };
    }
    await recordSent(event.id, claimed.attempt, signal, keepAlive);
    return { outcome: 'sent', attempt: claimed.attempt };
  };
}

export type NotifyOrder = ReturnType<typeof createNotifyOrder>;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
