/** Result shapes shared by the runner, the criteria and the report. All times in ms unless named otherwise. */

/** Percentiles of one latency histogram; null fields when nothing was recorded. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly meanMs: number | null;
}

/** What one open-loop request stream did. */
export interface LoadResult {
  readonly offeredRate: number;
  readonly durationS: number;
  /** Requests whose due time fell in the window. */
  readonly due: number;
  readonly sent: number;
  /** Due while the outstanding cap was reached: the generator, not the system, was saturated. */
  readonly notSent: number;
  /** Responses by status code (`202`, `429`, …), `network` for transport errors, `timeout` for cut-off requests. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** 2xx responses. */
  readonly accepted: number;
  /** Non-2xx responses plus network errors and requests cut off (`timeout`). */
  readonly errors: number;
  /** From the first due time to the last answer: over this the 2xx answers came. */
  readonly answeredForS: number;
  /** Retry-After values seen on 429 answers, with how often each was seen. */
  readonly retryAfter: Readonly<Record<string, number>>;
  /** From each request's due time to the end of its response. */
  readonly latency: LatencySummary;
  /** 2xx responses finished in each whole second of the window. */
  readonly acceptedPerSecond: readonly number[];
}

/** Pending + ack-pending messages of every durable consumer at one moment. */
export interface BacklogReading {
  /** Sum over the consumers that answered. */
  readonly total: number;
  /** Null for a consumer that does not exist (yet) or did not answer. */
  readonly perConsumer: Readonly<Record<string, number | null>>;
}

/** CPU seconds consumed between two marks. */
export interface CpuUsage {
  readonly totalS: number;
  readonly perProcessS: Readonly<Record<string, number>>;
  /** The bench process itself; not part of totalS. */
  readonly loadgenS: number;
}

/** MongoDB commands the services sent during a window, per order; null when not exposed. */
export interface StoreTraffic {
  /** Processes whose /metrics had `orderflow_mongodb_commands_total`. */
  readonly exposedBy: readonly string[];
  readonly writesPerOrder: number | null;
  readonly statementsPerOrder: number | null;
  readonly readsPerOrder: number | null;
  /** Write and read commands per order of each process, so the report shows who sends what. */
  readonly perProcess?: Readonly<
    Record<string, { readonly writesPerOrder: number | null; readonly readsPerOrder: number | null }>
  >;
  /** Commands by name, summed over the processes. */
  readonly commands: Readonly<Record<string, number>>;
}

/** Why a phase of the stepping ran. `down` retries below a start rate that was already too high. */
export type StepPhase = 'ramp' | 'down' | 'bisect' | 'confirm' | 'single' | 'soak';

/** Scenario names, in the order they are reported. */
export const SCENARIO_NAMES = ['intake', 'pipeline', 'mixed'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** The verdict on one step. */
export interface Verdict {
  readonly sustainable: boolean;
  /** Each failed criterion, e.g. `intake p99 73.1 ms > 50 ms`. */
  readonly failed: readonly string[];
}

/** Extra load of the mixed scenario: reads and live streams. */
export interface SideLoad {
  readonly reads: LoadResult;
  readonly watchers: number;
  readonly watchersRefused: number;
  readonly sseEvents: number;
}

/** Everything measured in one step. */
export interface StepResult {
  readonly scenario: ScenarioName;
  readonly stack: string;
  readonly phase: StepPhase;
  readonly rate: number;
  readonly durationS: number;
  readonly intake: LoadResult;
  /** 2xx answers per second of the step. */
  readonly acceptedPerSec: number;
  /** 2xx answers per second over the time they took to arrive: what intake got through. */
  readonly intakeThroughput: number;
  readonly completedPerSec: number | null;
  readonly notifiedPerSec: number | null;
  readonly createdToCompleted: LatencySummary;
  readonly createdToTerminal: LatencySummary;
  readonly terminalByType: Readonly<Record<string, number>>;
  /** Accepted orders not terminal when the drain ended. */
  readonly lost: number;
  readonly drainMs: number;
  readonly backlogEnd: BacklogReading;
  readonly backlogAfterDrain: BacklogReading;
  readonly cpu: CpuUsage;
  /** CPU seconds per 1,000 orders (completed, or accepted for intake); null with no orders. */
  readonly cpuPer1000: { readonly totalS: number | null; readonly perProcessS: Readonly<Record<string, number>> };
  readonly peakRssBytes: Readonly<Record<string, number>>;
  readonly store: StoreTraffic | null;
  /** Coefficient of variation of accepted/s across the step's seconds. */
  readonly acceptedCv: number | null;
  /** Orders in the database before the step (the database is not reset between steps). */
  readonly ordersBefore: number | null;
  /** Whether the store answered the count after the drain (a wedged store does not). */
  readonly storeAnswered: boolean;
  readonly side?: SideLoad;
  readonly verdict: Verdict;
}
