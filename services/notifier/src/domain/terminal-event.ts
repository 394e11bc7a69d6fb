import type { TerminalStatus } from '@orderflow/core';

/** A terminal order event as the notifier acts on it: the SPEC §4 envelope, checked. */
export interface TerminalEvent {
  /** `<order_id>:<seq>`: the envelope id, unique per event. */
  readonly id: string;
  /** `order.<status>`. */
  readonly type: `order.${TerminalStatus}`;
  readonly orderId: string;
  readonly seq: number;
  readonly status: TerminalStatus;
  /** W3C trace id of the flow that led here, when the message carried one. */
  readonly traceId: string | null;
}

/** Statuses whose customer gets an e-mail; `expired` is only recorded (SPEC §6). */
const MAILED: ReadonlySet<TerminalStatus> = new Set(['completed', 'failed', 'rejected', 'cancelled']);

/** True when an order reaching `status` is e-mailed, false when it is only recorded. */
export function isMailed(status: TerminalStatus): boolean {
  return MAILED.has(status);
}
