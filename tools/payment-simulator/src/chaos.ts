import type { ProviderEvent } from './provider-events.js';
import { shuffled, type Random } from './random.js';

/** How far webhook delivery strays from the polite, in-order, exactly-once ideal. */
export interface ChaosSettings {
  /** Send a payment's events in a seeded random order, all at once. */
  readonly shuffle: boolean;
  /** Send some events twice (same event_id, same bytes). */
  readonly duplicate: boolean;
  /** Hold some events back by up to `lateMs`. */
  readonly late: boolean;
  readonly lateMs: number;
}

export type ChaosMode = 'shuffle' | 'duplicate' | 'late';

const MODES: readonly ChaosMode[] = ['shuffle', 'duplicate', 'late'];
const ALL = new Set(['all', '1', 'true']);
const NONE = new Set(['', '0', 'false']);

/** Share of events sent twice, and of deliveries held back, when those modes are on. */
const DUPLICATE_PROBABILITY = 0.3;
const LATE_PROBABILITY = 0.5;

/**
 * Parses `PAYMENT_CHAOS`: a comma list of shuffle, duplicate, late; `all`/`1`/`true` for
 * every mode; empty/`0`/`false` for none. Returns undefined for anything else.
 */
export function parseChaosModes(value: string): ReadonlySet<ChaosMode> | undefined {
  const text = value.trim().toLowerCase();
  if (NONE.has(text)) return new Set();
  if (ALL.has(text)) return new Set(MODES);
  const parts = text.split(',').map((part) => part.trim());
  if (!parts.every((part): part is ChaosMode => (MODES as readonly string[]).includes(part))) return undefined;
  return new Set(parts);
}

/** One POST to make: an event (or its duplicate) and how long to hold it back. */
export interface PlannedDelivery {
  readonly event: ProviderEvent;
  /** 1 for the original, 2 for a chaos duplicate. */
  readonly copy: number;
  readonly extraDelayMs: number;
}

/** The deliveries of one payment and whether they go one after another or all at once. */
export interface DeliveryPlan {
  readonly concurrent: boolean;
  readonly deliveries: readonly PlannedDelivery[];
}

/**
 * Lays out a payment's webhooks. Without chaos: each event once, in order, one after
 * another. `random` is seeded per order, so a run with the same seed misbehaves the
 * same way each time.
 */
export function planDeliveries(events: readonly ProviderEvent[], chaos: ChaosSettings, random: Random): DeliveryPlan {
  const ordered = chaos.shuffle ? shuffled(events, random) : [...events];
  const deliveries: PlannedDelivery[] = [];
  for (const event of ordered) {
    deliveries.push({ event, copy: 1, extraDelayMs: lateDelayMs(chaos, random) });
    if (chaos.duplicate && random() < DUPLICATE_PROBABILITY) {
      deliveries.push({ event, copy: 2, extraDelayMs: lateDelayMs(chaos, random) });
    }
  }
  return { concurrent: chaos.shuffle, deliveries };
}

function lateDelayMs(chaos: ChaosSettings, random: Random): number {
  if (!chaos.late || chaos.lateMs === 0 || random() >= LATE_PROBABILITY) return 0;
  return 1 + Math.floor(random() * chaos.lateMs);
}
