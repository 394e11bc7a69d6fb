import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderEvent } from '@orderflow/payment-simulator';

/** One webhook request as the receiver saw it. */
export interface ReceivedWebhook {
  readonly raw: Buffer;
  readonly signature: string | undefined;
  readonly contentType: string | undefined;
  readonly event: ProviderEvent;
  /** The status the receiver answered. */
  readonly status: number;
}

/** Decides the answer to the `attempt`-th request (1-based) carrying `event`. */
export type Responder = (event: ProviderEvent, attempt: number) => number;

/** A real HTTP webhook receiver on an ephemeral port. */
export interface Receiver {
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: ReceivedWebhook[];
  /** Requests answered 2xx, in arrival order. */
  accepted(): ReceivedWebhook[];
  acceptedFor(orderId: string): ReceivedWebhook[];
  close(): Promise<void>;
}

/** Starts a receiver that answers `respond(...)` (204 for everything by default). */
export async function startReceiver(respond: Responder = () => 204): Promise<Receiver> {
  const requests: ReceivedWebhook[] = [];
  const attemptsByEvent = new Map<string, number>();
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const event = JSON.parse(raw.toString('utf8')) as ProviderEvent;
      const attempt = (attemptsByEvent.get(event.event_id) ?? 0) + 1;
      attemptsByEvent.set(event.event_id, attempt);
      const status = respond(event, attempt);
      requests.push({
        raw,
        signature: req.headers['x-signature'] as string | undefined,
        contentType: req.headers['content-type'],
        event,
        status,
      });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = () => requests.filter((r) => r.status >= 200 && r.status < 300);
  return {
    url: `http://127.0.0.1:${port}/webhooks/payments`,
    requests,
    accepted,
    acceptedFor: (orderId) => accepted().filter((r) => r.event.order_id === orderId),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
