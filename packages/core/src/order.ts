/** Order statuses of SPEC §2. */
export const ORDER_STATUSES = [
  'pending',
  'processing',
  'completed',
  'failed',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES = ['completed', 'failed', 'rejected', 'expired', 'cancelled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminal(status: OrderStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export const LANES = ['high', 'normal', 'low'] as const;
export type Lane = (typeof LANES)[number];
export type Priority = 1 | 2 | 3;

/** Priority 1 is the high lane, 2 (the default) normal, 3 low. */
export function laneOf(priority: Priority): Lane {
  return priority === 1 ? 'high' : priority === 3 ? 'low' : 'normal';
}

export type Handling = 'standard' | 'priority' | 'expedited';

export interface OrderItem {
  readonly sku: string;
  readonly name?: string | undefined;
  readonly quantity: number;
  readonly unit_price_minor?: number | undefined;
}

/** A free-text address or its parts. */
export type Address = string | Readonly<Record<string, string>>;

/** An order as accepted by the API, before any processing: the data of `order.created`. */
export interface NewOrder {
  readonly id: string;
  readonly customer_id: string;
  readonly customer_email?: string | undefined;
  readonly items: readonly OrderItem[];
  readonly total_minor: number;
  readonly currency: string;
  readonly priority: Priority;
  readonly lane: Lane;
  readonly address?: Address | undefined;
  readonly notes?: string | undefined;
  readonly created_by: string;
}

/** One rule an order broke; `rejected` lists every one. */
export interface RuleFailure {
  readonly rule: RuleName;
  readonly message: string;
}

export type RuleName = 'total_positive' | 'total_max' | 'item_count' | 'price_sum' | 'quantity' | 'risk';
