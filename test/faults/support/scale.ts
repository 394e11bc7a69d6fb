/**
 * How big a fault scenario runs, from FAULT_SCALE: `ci` (the default, what `npm test`
 * runs: small and quick) or `full` (`npm run test:faults`: thousands of orders, many kills).
 */
export interface FaultScale {
  readonly name: 'ci' | 'full';
  /** Orders a scenario sends (some send half). */
  readonly orders: number;
  /** Orders of the processor-kill scenario: thousands in the long form, for 20 kills. */
  readonly killOrders: number;
  /** Orders in flight at once from the load generator. */
  readonly concurrency: number;
  /** SIGKILLs of the processor in the kill scenario; NATS kills in the NATS scenario. */
  readonly processorKills: number;
  /** How long each processor run works (after it is ready) before it is killed: [min, max) ms. */
  readonly processorRunMs: readonly [number, number];
  readonly natsKills: number;
  /** Crashes at each fault point. */
  readonly crashesPerPoint: number;
  /** Rounds of SIGTERM to each service in turn. */
  readonly sigtermRounds: number;
  /** How long NATS, then MongoDB, stays down. */
  readonly outageMs: number;
  /**
   * ORDER_TTL_MS of the services: the full form builds a backlog of thousands of orders,
   * which must not expire merely for waiting in it.
   */
  readonly orderTtlMs: number;
  /** Deadline for a scenario's orders to finish once the faults are over. */
  readonly settleTimeoutMs: number;
  /** The per-file tap timeout. */
  readonly fileTimeoutMs: number;
}

const SCALES: Readonly<Record<FaultScale['name'], FaultScale>> = {
  ci: {
    name: 'ci',
    orders: 60,
    killOrders: 60,
    concurrency: 4,
    processorKills: 3,
    processorRunMs: [300, 2_500],
    natsKills: 2,
    crashesPerPoint: 1,
    sigtermRounds: 1,
    outageMs: 10_000,
    orderTtlMs: 600_000,
    settleTimeoutMs: 90_000,
    fileTimeoutMs: 300_000,
  },
  full: {
    name: 'full',
    // Each scenario's faults land among a thousand orders; more only lengthens the wait
    // for a 2-core machine to process them (FerretDB is the bottleneck here).
    orders: 1_000,
    killOrders: 3_000,
    concurrency: 16,
    processorKills: 20,
    processorRunMs: [1_000, 6_000],
    natsKills: 6,
    crashesPerPoint: 5,
    sigtermRounds: 3,
    outageMs: 30_000,
    orderTtlMs: 1_800_000,
    settleTimeoutMs: 1_200_000,
    fileTimeoutMs: 3_600_000,
  },
};

/** The scale FAULT_SCALE names; anything but `full` is the CI form. */
export function faultScale(env: NodeJS.ProcessEnv = process.env): FaultScale {
  const requested = env.FAULT_SCALE?.trim().toLowerCase();
  if (requested !== undefined && requested !== '' && requested !== 'ci' && requested !== 'full') {
    throw new Error(`FAULT_SCALE: expected ci or full (got "${requested}")`);
  }
  return SCALES[requested === 'full' ? 'full' : 'ci'];
}
