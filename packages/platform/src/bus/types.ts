/**
 * The event bus port (SPEC §4). Business code publishes and consumes logical subjects
 * through it and never imports a NATS module; `jetstream` and `memory` implement it.
 */
export interface EventBus {
  /**
   * Appends a message to the stream that captures `subject`. With `msgId`, a repeat
   * inside the stream's duplicate window is stored once (`duplicate: true`).
   */
  publish(subject: string, data: Uint8Array | string, options?: PublishOptions): Promise<PublishResult>;
  /**
   * Runs `handler` for every message of the durable consumer `durable`. A handler that
   * returns acks; one that throws is retried with backoff (`nak` with a delay) or, when
   * the error is permanent or the delivery was the last, dead-lettered to `DLQ` and
   * terminated.
   */
  consume(durable: string, handler: MessageHandler, options?: ConsumeOptions): Consumption;
  /** Messages waiting for `durable` (not yet delivered) and delivered but not acked. */
  backlog(durable: string): Promise<Backlog>;
  /**
   * Live messages on the logical subjects `pattern` matches (`*`, `>` wildcards), from
   * now on and in stream order, for views of what happens now (SSE). Nothing is acked
   * and nothing is kept for a watcher that is not there: the source of truth stays the
   * store, and `reset` says when to read it again.
   */
  watch(pattern: string, listener: WatchListener): Watch;
  /** Stops every consumption and releases the bus (not the NATS connection). */
  close(): Promise<void>;
}

export interface PublishOptions {
  /** De-duplication id (`Nats-Msg-Id`): an event's id. */
  readonly msgId?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PublishResult {
  /** Logical stream name. */
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

export interface BusMessage {
  /** Logical subject. */
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly msgId: string | undefined;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly streamSequence: number;
  readonly consumer: string;
  /** The payload as UTF-8 text. */
  text(): string;
  /** The payload parsed as JSON; throws a PermanentError when it is not JSON. */
  json(): unknown;
  /** Tells the server the handler is still at work, restarting the ack timer. */
  working(): void;
}

/**
 * Handles one message. `signal` aborts when the consumer stops and the grace period is
 * over: the handler should give up, and the message is redelivered later.
 */
export type MessageHandler = (message: BusMessage, signal: AbortSignal) => Promise<void>;

export interface ConsumeOptions {
  /** Messages pulled at once and handled concurrently. */
  readonly concurrency?: number;
  /** Reports each message's outcome, for metrics and logs. */
  readonly onOutcome?: (outcome: MessageOutcome) => void;
}

export interface MessageOutcome {
  readonly consumer: string;
  readonly subject: string;
  readonly deliveryCount: number;
  /** `ack`: handled; `nak`: to be retried after `delayMs`; `dlq`: dead-lettered and terminated. */
  readonly result: 'ack' | 'nak' | 'dlq';
  readonly delayMs?: number;
  readonly error?: unknown;
}

export interface Consumption {
  /**
   * Stops pulling. In-flight handlers get `graceMs` to finish; then their signal is
   * aborted and what they hold is `nak`-ed for another instance.
   */
  stop(graceMs?: number): Promise<void>;
}

export interface WatchListener {
  /** A message published on a matching subject, once, in stream order. */
  message(message: LiveMessage): void;
  /**
   * Live delivery (re)started: messages published before it, or while it was down, were
   * not seen. Called once delivery first runs and after every restart.
   */
  reset(): void;
}

/** A message seen by a watch. */
export interface LiveMessage {
  /** Logical subject. */
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** The payload as UTF-8 text. */
  text(): string;
  /** The payload parsed as JSON; throws a PermanentError when it is not JSON. */
  json(): unknown;
}

export interface Watch {
  /** Stops delivery; no listener call follows. */
  close(): Promise<void>;
}

export interface Backlog {
  readonly pending: number;
  readonly ackPending: number;
}

/** A message that exhausted its deliveries, as stored in `DLQ` under `dlq.<subject>`. */
export interface DeadLetter {
  readonly originalSubject: string;
  readonly data: Uint8Array;
  /** The original message's headers, its `Nats-Msg-Id` among them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly deliveryCount: number;
  readonly consumer: string;
  readonly streamSequence: number;
  readonly failedAt: string;
}
