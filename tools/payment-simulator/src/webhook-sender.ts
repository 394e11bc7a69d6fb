import { errorMessage } from '@orderflow/platform';
import { request, type Dispatcher } from 'undici';
import { sleep } from './abortable-sleep.js';
import type { WebhookSettings } from './config.js';
import type { WebhookDelivery } from './payment-store.js';
import { signatureFor } from './signature.js';

/** How one webhook ended: accepted, given up on, or cut short by `stop()`. */
export type SendResult = 'delivered' | 'abandoned' | 'cancelled';

/** Sends one webhook body until the receiver accepts it, updating `state` as it goes. */
export type SendWebhook = (body: Buffer, state: WebhookDelivery, signal: AbortSignal) => Promise<SendResult>;

/**
 * A sender that POSTs to `settings.url`, signed with `settings.secret`, and retries
 * every non-2xx answer and network error with exponential backoff: the api answers 503
 * for an order it does not know yet, and only a 2xx means the event is stored.
 */
export function createWebhookSender(
  settings: WebhookSettings,
  dispatcher: Dispatcher,
  userAgent: string,
  now: () => number,
): SendWebhook {
  return async (body, state, signal) => {
    const headers = {
      'content-type': 'application/json',
      'user-agent': userAgent,
      'x-signature': signatureFor(body, settings.secret),
    };
    for (;;) {
      if (signal.aborted) return 'cancelled';
      state.attempts++;
      try {
        const response = await request(settings.url, {
          method: 'POST',
          headers,
          body,
          dispatcher,
          signal,
          headersTimeout: settings.timeoutMs,
          bodyTimeout: settings.timeoutMs,
        });
        // Drain the answer so the connection can be reused.
        await response.body.dump();
        state.last_status = response.statusCode;
        state.last_error = null;
        if (response.statusCode >= 200 && response.statusCode < 300) {
          state.delivered = true;
          state.delivered_at = new Date(now()).toISOString();
          return 'delivered';
        }
      } catch (error) {
        if (signal.aborted) return 'cancelled';
        state.last_status = null;
        state.last_error = errorMessage(error);
      }
      if (state.attempts >= settings.maxAttempts) {
        state.abandoned = true;
        return 'abandoned';
      }
      if (!(await sleep(retryDelayMs(settings, state.attempts), signal))) return 'cancelled';
    }
  };
}

/** Pause after the `attempt`-th failure: base, 2·base, 4·base, … capped at retryMaxMs. */
export function retryDelayMs(settings: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>, attempt: number): number {
  return Math.min(settings.retryBaseMs * 2 ** Math.min(attempt - 1, 30), settings.retryMaxMs);
}
