/** Why new orders are refused for now. */
export type ShedReason = 'in_flight' | 'store_wait' | 'backlog';

export type Admission =
  { readonly admit: true } | { readonly admit: false; readonly reason: ShedReason; readonly retryAfterSeconds: number };

export interface BackpressureLimits {
  /** Creations this process works on at once; 0: no limit. */
  readonly maxInFlight: number;
  /** How long the oldest creation may have waited on the store before new ones are refused; 0: no limit. */
  readonly maxWaitMs: number;
  /** New-order messages waiting for the processor; 0: no limit. */
  readonly maxBacklog: number;
}

/** Shedding for backlog stops once it is back under this share of the limit. */
export const RESUME_SHARE = 0.8;
const MAX_RETRY_AFTER_S = 30;
/** Retry-After while the backlog is not draining at all. */
const STALLED_RETRY_AFTER_S = 5;
/** A backlog sample older than this says nothing about now. */
const SAMPLE_TTL_MS = 10_000;

/**
 * Admission control for order creation (SPEC §3 `429`). Three signals: the creations this
 * process has in flight (waiting on the store: the memory and latency that would grow
 * without bound), how long the oldest of them has waited (a store that stopped keeping
 * up: later creations would only queue behind it), and the pipeline's backlog of new
 * orders not yet taken by a processor.
 * Past the backlog limit, creation is refused until the backlog has drained below
 * `RESUME_SHARE` of it (hysteresis, so admission does not flap at the edge), and
 * `Retry-After` is how long that drain takes at the rate last seen. Pure: the caller
 * feeds it samples and the time.
 */
export function createBackpressure(limits: BackpressureLimits) {
  /** Start times of the creations in flight, oldest first (a Set keeps insertion order). */
  const started = new Set<{ readonly atMs: number }>();
  let backlog: { value: number; atMs: number } | undefined;
  let drainPerSecond = 0;
  let shedding = false;

  function backlogRetryAfter(): number {
    if (!backlog) return 1;
    const excess = backlog.value - limits.maxBacklog * RESUME_SHARE;
    if (drainPerSecond <= 0) return STALLED_RETRY_AFTER_S;
    return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(excess / drainPerSecond)));
  }

  return {
    get inFlight() {
      return started.size;
    },
    /** Records the pipeline's backlog as read at `atMs`. */
    observeBacklog(value: number, atMs: number): void {
      if (backlog && atMs > backlog.atMs) {
        const rate = ((backlog.value - value) * 1_000) / (atMs - backlog.atMs);
        // Smoothed, so one quiet second does not swing Retry-After.
        drainPerSecond = drainPerSecond === 0 ? Math.max(0, rate) : 0.5 * drainPerSecond + 0.5 * Math.max(0, rate);
      }
      backlog = { value, atMs };
      if (limits.maxBacklog <= 0) return;
      if (value > limits.maxBacklog) shedding = true;
      else if (value < limits.maxBacklog * RESUME_SHARE) shedding = false;
    },
    /** Whether a new order may be taken now. */
    admit(nowMs: number): Admission {
      if (limits.maxInFlight > 0 && started.size >= limits.maxInFlight) {
        return { admit: false, reason: 'in_flight', retryAfterSeconds: 1 };
      }
      const oldest = started.values().next().value;
      if (limits.maxWaitMs > 0 && oldest !== undefined && nowMs - oldest.atMs > limits.maxWaitMs) {
        return { admit: false, reason: 'store_wait', retryAfterSeconds: 1 };
      }
      const fresh = backlog !== undefined && nowMs - backlog.atMs <= SAMPLE_TTL_MS;
      if (shedding && fresh) return { admit: false, reason: 'backlog', retryAfterSeconds: backlogRetryAfter() };
      return { admit: true };
    },
    /** A creation started at `nowMs`; call `done` when it is answered. */
    begin(nowMs: number): () => void {
      const creation = { atMs: nowMs };
      started.add(creation);
      return () => void started.delete(creation);
    },
  };
}

export type Backpressure = ReturnType<typeof createBackpressure>;
