import type { LatencySummary, LoadResult, ScenarioName, StepPhase, StepResult } from '../src/types.js';

export const latency = (p99Ms: number): LatencySummary => ({
  count: 100,
  p50Ms: p99Ms / 4,
  p95Ms: p99Ms / 2,
  p99Ms,
  maxMs: p99Ms * 1.5,
  meanMs: p99Ms / 4,
});

export const load = (overrides: Partial<LoadResult> = {}): LoadResult => ({
  offeredRate: 400,
  durationS: 5,
  due: 2_000,
  sent: 2_000,
  notSent: 0,
  byStatus: { '202': 2_000 },
  accepted: 2_000,
  errors: 0,
  answeredForS: 5.01,
  retryAfter: {},
  latency: latency(20),
  acceptedPerSecond: [400, 400, 400, 400, 400],
  ...overrides,
});

/** A sustainable pipeline step at `rate`, with overrides. */
export function step(
  scenario: ScenarioName,
  phase: StepPhase,
  rate: number,
  overrides: Partial<StepResult> = {},
): StepResult {
  return {
    scenario,
    stack: 'main',
    phase,
    rate,
    durationS: 5,
    intake: load({ offeredRate: rate }),
    acceptedPerSec: rate,
    intakeThroughput: rate,
    completedPerSec: scenario === 'intake' ? null : rate,
    notifiedPerSec: scenario === 'intake' ? null : rate,
    createdToCompleted: latency(400),
    createdToTerminal: latency(400),
    terminalByType: { 'order.completed': rate * 5 },
    lost: 0,
    drainMs: 300,
    backlogEnd: { total: 10, perConsumer: { 'processor-normal': 10 } },
    backlogAfterDrain: { total: 0, perConsumer: { 'processor-normal': 0 } },
    cpu: { totalS: 2, perProcessS: { api: 1, processor: 1 }, loadgenS: 0.5 },
    cpuPer1000: { totalS: 1, perProcessS: { api: 0.5, processor: 0.5 } },
    peakRssBytes: { api: 100 * 1_048_576 },
    store: null,
    acceptedCv: 0.02,
    ordersBefore: 0,
    storeAnswered: true,
    verdict: { sustainable: true, failed: [] },
    ...overrides,
  };
}
