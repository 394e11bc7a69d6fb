import type { OrderStatus } from './order.js';

/** The only legal status changes (SPEC §2); `undefined` is "no order yet". */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['processing', 'rejected', 'expired', 'cancelled'],
  processing: ['completed', 'failed', 'expired', 'cancelled'],
  completed: [],
  failed: [],
  rejected: [],
  expired: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus | undefined, to: OrderStatus): boolean {
  if (from === undefined) return to === 'pending';
  return TRANSITIONS[from].includes(to);
}

/** A stored history that breaks the state machine: the store is corrupt, not the request. */
export class IllegalTransitionError extends Error {
  readonly code = 'ERR_ILLEGAL_TRANSITION';

  constructor(
    readonly from: OrderStatus | undefined,
    readonly to: OrderStatus,
  ) {
    super(`illegal transition ${from ?? '(none)'} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}
