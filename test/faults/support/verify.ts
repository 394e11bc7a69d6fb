import type { Test } from 'tap';
import { checkInvariants, reportLine, waitForQuiet, type FaultReport } from './invariants.js';
import type { Load } from './load.js';
import type { FaultSystem } from './system.js';

export interface Expectations {
  /** Time for the orders to finish once the faults are over. */
  readonly settleTimeoutMs: number;
  /** Every accepted order must be final at the end (no order left in flight). */
  readonly allFinal?: boolean;
  /** Final statuses allowed at the end (default: any terminal one). */
  readonly statuses?: readonly string[];
  /** Dead letters allowed (default none). */
  readonly deadLetters?: (report: FaultReport) => boolean;
}

const SHOWN_VIOLATIONS = 20;

/**
 * The end of every scenario: waits for the system to get quiet, runs the invariant
 * checker, prints the report line and asserts nothing was lost or done twice.
 */
export async function verifyScenario(
  t: Test,
  system: FaultSystem,
  loads: readonly Load[],
  expect: Expectations,
): Promise<FaultReport> {
  await Promise.all(loads.map((load) => load.done));
  const accepted = loads.flatMap((load) => load.accepted);
  const sent = loads.reduce((sum, load) => sum + load.sent, 0);
  const quiet = await waitForQuiet(system, accepted, expect.settleTimeoutMs);
  const report = await checkInvariants(system, { sent, accepted });
  t.comment(reportLine(report));
  t.comment(`final statuses: ${JSON.stringify(report.statuses)}`);
  for (const line of report.violations.slice(0, SHOWN_VIOLATIONS)) t.comment(`violation: ${line}`);
  if (report.violations.length > SHOWN_VIOLATIONS) {
    t.comment(`… and ${report.violations.length - SHOWN_VIOLATIONS} more violations`);
  }

  const refused = loads.flatMap((load) => load.refused);
  t.same(refused, [], 'every order sent was accepted in the end');
  t.equal(report.lost, 0, 'nothing lost');
  t.equal(report.duplicateEffects, 0, 'no effect twice');
  t.equal(report.violations.length, 0, 'every invariant holds');
  if (expect.allFinal) {
    t.ok(quiet, 'the system got quiet: every order final, published and notified');
    t.equal(report.inFlight, 0, 'no order left in flight');
  }
  if (expect.statuses) {
    const unexpected = Object.keys(report.statuses).filter((status) => !expect.statuses!.includes(status));
    t.same(unexpected, [], `final statuses are among ${expect.statuses.join(', ')}`);
  }
  const lettersOk = expect.deadLetters ? expect.deadLetters(report) : report.deadLetters.length === 0;
  t.ok(lettersOk, `dead letters as expected (${report.deadLetters.length})`);
  return report;
}
