import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_AFTER, type OrderEvent, type OrderStatus } from '@orderflow/core';
import type { OrderStore } from '@orderflow/event-store';
import { StreamSequencer } from '../../domain/stream-sequencer.js';
import type { ClientLimits } from '../../live/client-limits.js';
import type { OrderFeed } from '../../live/order-feed.js';
import { ApiError, RETRY_AFTER_SECONDS } from './errors.js';
import { presentEvent } from './presenter.js';
import { errorResponses } from './response-schemas.js';
import { OrderParams } from './schemas.js';
import { openSse, type SseSettings, type SseStream } from './sse.js';
import { EVENT_STREAM_EXAMPLE, eventStream, FEED_STREAM_EXAMPLE, FeedQuery, StreamHeaders } from './stream-schemas.js';

export interface StreamRoutesOptions {
  readonly store: OrderStore;
  readonly feed: OrderFeed;
  readonly limits: ClientLimits;
  readonly sse: SseSettings;
}

/**
 * Live order streams over Server-Sent Events (SPEC §3): one order's history then its live
 * events, resumable by Last-Event-ID; and a live feed of every order's status changes.
 */
export function registerStreamRoutes(app: FastifyInstance, options: StreamRoutesOptions): { endAll(): void } {
  const { store, feed, limits } = options;
  const open = new Set<SseStream>();
  const start = (request: FastifyRequest, reply: FastifyReply, release: () => void, unfollow: () => void) => {
    const stream = openSse(request, reply, options.sse);
    open.add(stream);
    stream.onClose(() => {
      open.delete(stream);
      unfollow();
      release();
    });
    return stream;
  };

  const one = {
    tags: ['orders'],
    summary: 'Watch an order live (SSE): its history in seq order, then each event as it happens, until it is final',
    description:
      'Each event has `id: <seq>` and `event: <type>`; its data is the event with the order status after it. ' +
      'A reconnect with `Last-Event-ID` resumes right after that seq. Comment lines are heartbeats. After ' +
      'the terminal event comes `event: end` and the stream closes.',
    params: OrderParams,
    headers: StreamHeaders,
    response: { 200: eventStream(EVENT_STREAM_EXAMPLE), ...errorResponses(400, 404, 429, 503) },
  };
  app.get('/orders/:id/stream', { schema: one }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const lastSeen = Number((request.headers as StreamHeaders)['last-event-id'] ?? 0);
    await withPlace(request, async (release) => {
      const sequencer = new StreamSequencer(lastSeen);
      // Opened once the history is read; the feed listener below needs it before then.
      let stream: SseStream | undefined = undefined;
      // Live events that arrive while the history is read wait here, so none falls between.
      const early: OrderEvent[] = [];
      let filling: Promise<void> | undefined;
      let fillAgain = false;

      const deliver = (events: readonly OrderEvent[]) => {
        if (!stream || stream.closed) return;
        const offered = sequencer.offer(events);
        for (const { event, status } of offered.send) {
          stream.send({ id: String(event.seq), event: event.type, data: { ...presentEvent(event), status } });
        }
        if (offered.ended) {
          stream.send({ event: 'end', data: { order_id: id, status: sequencer.status } });
          stream.end();
        } else if (offered.gap) {
          fill();
        }
      };
      // Reads what the live flow may have missed; one read at a time, again if asked meanwhile.
      const fill = () => {
        if (filling) {
          fillAgain = true;
          return;
        }
        filling = store
          .events(id, sequencer.nextSeq)
          .then(deliver, (error: unknown) => {
            request.log.warn({ err: error, 'order.id': id }, 're-reading a streamed order failed; closing the stream');
            stream?.end();
          })
          .finally(() => {
            filling = undefined;
            if (fillAgain && !stream?.closed) {
              fillAgain = false;
              fill();
            }
          });
      };

      const unfollow = feed.follow(id, {
        event: (event) => (stream ? deliver([event]) : early.push(event)),
        reset: () => (stream ? fill() : undefined),
      });
      let history: OrderEvent[];
      try {
        history = await store.events(id);
        if (history.length === 0) throw new ApiError(404, 'not_found', `order ${id} not found`);
      } catch (error) {
        unfollow();
        throw error;
      }
      stream = start(request, reply, release, unfollow);
      deliver([...history, ...early]);
    });
  });

  const all = {
    tags: ['orders'],
    summary: "Watch every order's status changes live (SSE), optionally only some statuses",
    description:
      'Live only: no history is replayed and a reconnect does not resume; list orders (GET /orders) for what ' +
      'happened before. Each event has `event: <type>` and data `{order_id, seq, type, status, at}`.',
    querystring: FeedQuery,
    response: { 200: eventStream(FEED_STREAM_EXAMPLE), ...errorResponses(400, 429, 503) },
  };
  app.get('/orders/stream', { schema: all }, async (request, reply) => {
    const wanted = statusFilter((request.query as FeedQuery).status);
    await withPlace(request, (release) => {
      let unfollow = () => {};
      const stream = start(request, reply, release, () => unfollow());
      unfollow = feed.followAll({
        event: (event) => {
          const status = STATUS_AFTER[event.type];
          if (!status || (wanted && !wanted.has(status))) return;
          stream.send({
            event: event.type,
            data: { order_id: event.order_id, seq: event.seq, type: event.type, status, at: event.at },
          });
        },
        // Live only: what was missed is for GET /orders to tell.
        reset: () => undefined,
      });
      return Promise.resolve();
    });
  });

  /** Runs `open` holding a client place; the place goes back when `open` fails or the stream ends. */
  async function withPlace(request: FastifyRequest, open: (release: () => void) => Promise<void>): Promise<void> {
    const admission = limits.admit(request.ip);
    if (!admission.admitted) throw refusal(admission.limit);
    try {
      await open(admission.release);
    } catch (error) {
      admission.release();
      throw error;
    }
  }

  return {
    /** Ends every open stream (the server is closing): clients reconnect to another process. */
    endAll() {
      for (const stream of [...open]) stream.end();
    },
  };
}

function refusal(limit: 'process' | 'ip'): ApiError {
  return limit === 'ip'
    ? new ApiError(429, 'rate_limited', 'too many live streams from this address', undefined, RETRY_AFTER_SECONDS)
    : new ApiError(503, 'unavailable', 'this api process serves its maximum of live streams', undefined, 1);
}

function statusFilter(value: string | undefined): ReadonlySet<OrderStatus> | undefined {
  if (value === undefined) return undefined;
  return new Set(value.split(',') as OrderStatus[]);
}
