import { isTerminal, STATUS_AFTER, type OrderEvent, type OrderStatus } from '@orderflow/core';

/** An event as a live stream sends it: with the order's status after it. */
export interface StreamedEvent {
  readonly event: OrderEvent;
  readonly status: OrderStatus;
}

export interface Offered {
  /** Events to send now, in seq order, each exactly once. */
  readonly send: readonly StreamedEvent[];
  /** An event is waiting past a hole: read the store from `nextSeq` on. */
  readonly gap: boolean;
  /** The terminal event is with the client: the stream should end. */
  readonly ended: boolean;
}

/**
 * The ordering of one order's live stream (SPEC §3). Events from any source — the
 * history read at connect, live events, re-reads after a gap — are folded from seq 1 in
 * order, so the status after each is known, and sent once each, starting after
 * `lastSeenSeq` (the client's Last-Event-ID): no repeat and no hole. An event past a
 * hole waits until the hole is filled. Pure: the caller reads and writes.
 */
export class StreamSequencer {
  /** Seq of the last event the client has: sent now, or before it reconnected. */
  #last: number;
  /** Seq of the last event folded. */
  #folded = 0;
  #status: OrderStatus | undefined;
  #ended = false;
  readonly #waiting = new Map<number, OrderEvent>();

  constructor(lastSeenSeq = 0) {
    this.#last = lastSeenSeq;
  }

  /** The first seq not folded yet: where a re-read of the store starts. */
  get nextSeq(): number {
    return this.#folded + 1;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The order's status after the events folded so far. */
  get status(): OrderStatus | undefined {
    return this.#status;
  }

  /** Offers events in any order; repeats and events already sent are dropped. */
  offer(events: readonly OrderEvent[]): Offered {
    if (!this.#ended) {
      for (const event of events) if (event.seq > this.#folded) this.#waiting.set(event.seq, event);
    }
    const send: StreamedEvent[] = [];
    for (let next = this.#waiting.get(this.#folded + 1); next && !this.#ended; next = this.#waiting.get(next.seq + 1)) {
      this.#waiting.delete(next.seq);
      this.#folded = next.seq;
      this.#status = STATUS_AFTER[next.type] ?? this.#status ?? 'pending';
      if (next.seq > this.#last) {
        send.push({ event: next, status: this.#status });
        this.#last = next.seq;
      }
      // Past the terminal event the stream is over, whatever is recorded after it.
      if (isTerminal(this.#status) && this.#last >= next.seq) this.#ended = true;
    }
    if (this.#ended) this.#waiting.clear();
    return { send, gap: this.#waiting.size > 0, ended: this.#ended };
  }
}
