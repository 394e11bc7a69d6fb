import type { PaymentRequest } from './provider-events.js';

/** A request body either parsed or refused with a message for the 400 answer. */
export type ParsedRequest =
  { readonly ok: true; readonly value: PaymentRequest } | { readonly ok: false; readonly message: string };

const MAX_ORDER_ID_LENGTH = 200;
const MAX_AMOUNT = 1e12;

/** Validates a `POST /payments` body: `{ order_id, amount, currency }`. */
export function parsePaymentRequest(body: unknown): ParsedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse('expected a JSON object with order_id, amount and currency');
  }
  const { order_id: orderId, amount, currency } = body as Record<string, unknown>;
  if (typeof orderId !== 'string' || orderId.trim() === '' || orderId.length > MAX_ORDER_ID_LENGTH) {
    return refuse(`order_id: expected a non-empty string of at most ${MAX_ORDER_ID_LENGTH} characters`);
  }
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || amount > MAX_AMOUNT) {
    return refuse('amount: expected a positive number, e.g. 19.99');
  }
  // Cents as a float are rarely exact (19.99 * 100 = 1998.9999…), hence the tolerance.
  if (Math.abs(amount * 100 - Math.round(amount * 100)) > 1e-6) {
    return refuse('amount: expected at most 2 decimal places');
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    return refuse('currency: expected 3 upper-case letters, e.g. EUR');
  }
  return { ok: true, value: { order_id: orderId, amount, currency } };
}

function refuse(message: string): ParsedRequest {
  return { ok: false, message };
}
