import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { TERMINAL_STATUSES, type Topology } from '@orderflow/platform';
import { latencyHistogram, recordMs, summarize, type Histogram } from './histogram.js';
import type { LatencySummary } from './types.js';

/** The orders of one step and what became of them. */
export interface OrderWindow {
  readonly label: string;
  accepted: number;
  /** Order ids accepted and not yet terminal. */
  readonly pending: Set<string>;
  readonly terminalByType: Record<string, number>;
  /** created_at → envelope time, of `order.completed` only. */
  readonly completed: Histogram;
  /** created_at → envelope time, of every terminal type. */
  readonly terminal: Histogram;
  /** Wall-clock time of the last terminal event received for this window. */
  lastTerminalAtMs: number | undefined;
}

/** A snapshot of a window for the report. */
export interface WindowSummary {
  readonly accepted: number;
  readonly pending: number;
  readonly terminal: number;
  readonly completed: number;
  readonly terminalByType: Readonly<Record<string, number>>;
  readonly createdToCompleted: LatencySummary;
  readonly createdToTerminal: LatencySummary;
}

/** Follows terminal order events on NATS and matches them to accepted orders. */
export interface CompletionTracker {
  readonly nats: NatsConnection;
  openWindow(label: string): OrderWindow;
  /** An accepted order (from its 202 body). */
  accept(window: OrderWindow, orderId: string, createdAt: string): void;
  summary(window: OrderWindow): WindowSummary;
  /** Every window opened so far. */
  windows(): readonly OrderWindow[];
  /** Wall-clock time of the last terminal event matched to an accepted order. */
  lastMatchedAtMs(): number | undefined;
  close(): Promise<void>;
}

interface Terminal {
  readonly type: string;
  readonly timeMs: number;
  readonly seenAtMs: number;
}

// A terminal event can overtake the 202 answer it belongs to; it waits this long for it.
const EARLY_KEEP_MS = 120_000;
const decoder = new TextDecoder();

/**
 * Subscribes (core NATS: JetStream publishes reach plain subscribers too) to every
 * terminal subject of the topology. Each order counts once, at its first terminal event:
 * delivery is at-least-once.
 */
export async function startCompletionTracker(natsUrl: string, topology: Topology): Promise<CompletionTracker> {
  const nats = await connect({ servers: natsUrl, name: 'orderflow-bench' });
  const open = new Map<string, { window: OrderWindow; createdAtMs: number }>();
  const early = new Map<string, Terminal>();
  let lastPurgeMs = Date.now();
  let lastMatchedAtMs: number | undefined;

  const settle = (window: OrderWindow, orderId: string, createdAtMs: number, terminal: Terminal) => {
    window.pending.delete(orderId);
    window.terminalByType[terminal.type] = (window.terminalByType[terminal.type] ?? 0) + 1;
    const ms = terminal.timeMs - createdAtMs;
    recordMs(window.terminal, ms);
    if (terminal.type === 'order.completed') recordMs(window.completed, ms);
    window.lastTerminalAtMs = Math.max(window.lastTerminalAtMs ?? 0, terminal.seenAtMs);
    lastMatchedAtMs = Math.max(lastMatchedAtMs ?? 0, terminal.seenAtMs);
  };

  const onMessage = (data: Uint8Array) => {
    let envelope: { type?: unknown; time?: unknown; order_id?: unknown };
    try {
      envelope = JSON.parse(decoder.decode(data)) as typeof envelope;
    } catch {
      return;
    }
    if (typeof envelope.order_id !== 'string' || typeof envelope.type !== 'string') return;
    const terminal: Terminal = {
      type: envelope.type,
      timeMs: typeof envelope.time === 'string' ? Date.parse(envelope.time) : Date.now(),
      seenAtMs: Date.now(),
    };
    const entry = open.get(envelope.order_id);
    if (entry) {
      open.delete(envelope.order_id);
      settle(entry.window, envelope.order_id, entry.createdAtMs, terminal);
    } else if (!early.has(envelope.order_id)) {
      early.set(envelope.order_id, terminal);
      purgeEarly();
    }
  };
  const purgeEarly = () => {
    const now = Date.now();
    if (now - lastPurgeMs < 10_000) return;
    lastPurgeMs = now;
    for (const [id, terminal] of early) if (now - terminal.seenAtMs > EARLY_KEEP_MS) early.delete(id);
  };

  const subscriptions: Subscription[] = TERMINAL_STATUSES.map((status) =>
    nats.subscribe(topology.subject(`order.${status}`), {
      callback: (error, msg) => {
        if (!error) onMessage(msg.data);
      },
    }),
  );
  await nats.flush();

  const windows: OrderWindow[] = [];
  return {
    nats,
    openWindow(label) {
      const window: OrderWindow = {
        label,
        accepted: 0,
        pending: new Set(),
        terminalByType: {},
        completed: latencyHistogram(),
        terminal: latencyHistogram(),
        lastTerminalAtMs: undefined,
      };
      windows.push(window);
      return window;
    },
    windows: () => windows,
    lastMatchedAtMs: () => lastMatchedAtMs,
    accept(window, orderId, createdAt) {
      const createdAtMs = Date.parse(createdAt);
      window.accepted += 1;
      const seen = early.get(orderId);
      if (seen) {
        early.delete(orderId);
        settle(window, orderId, createdAtMs, seen);
        return;
      }
      if (open.has(orderId)) return;
      window.pending.add(orderId);
      open.set(orderId, { window, createdAtMs });
    },
    summary(window) {
      const terminal = Object.values(window.terminalByType).reduce((a, b) => a + b, 0);
      return {
        accepted: window.accepted,
        pending: window.pending.size,
        terminal,
        completed: window.terminalByType['order.completed'] ?? 0,
        terminalByType: { ...window.terminalByType },
        createdToCompleted: summarize(window.completed),
        createdToTerminal: summarize(window.terminal),
      };
    },
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      await nats.drain().catch(() => nats.close());
    },
  };
}
