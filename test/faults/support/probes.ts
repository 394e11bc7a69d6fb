import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerHandle } from '@orderflow/testkit';
import type { Answer } from './load.js';
import type { ServiceProcess } from './service-process.js';

/** The status of a process's `/ready` (0 when it does not answer). */
export async function readyStatus(process: ServiceProcess): Promise<number> {
  return fetch(`${process.base}/ready`, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.status,
    () => 0,
  );
}

/** Polls until every process's `/ready` answers `status`; returns how long that took. */
export async function waitReadiness(
  processes: readonly ServiceProcess[],
  status: number,
  timeoutMs: number,
): Promise<number> {
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(processes.map(readyStatus));
    if (statuses.every((s) => s === status)) return Date.now() - startedAt;
    if (Date.now() > deadline) {
      const seen = processes.map((p, i) => `${p.name} ${statuses[i]}`).join(', ');
      throw new Error(`/ready did not turn ${status} everywhere within ${timeoutMs} ms (${seen})`);
    }
    await sleep(200);
  }
}

/** Answers to requests started in [fromMs, toMs). */
export function answersBetween(answers: readonly Answer[], fromMs: number, toMs: number): Answer[] {
  return answers.filter((a) => a.startedAt >= fromMs && a.startedAt < toMs);
}

/** `{202: 10, 503: 4}` — a compact view of answers for messages. */
export function statusCounts(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

/**
 * Sends `signal` to a test server and waits until its process is gone (a SIGTERM-ed
 * FerretDB serves on for a few seconds while it shuts down); returns how long that took.
 */
export async function takeDown(server: ServerHandle, signal: NodeJS.Signals, timeoutMs = 30_000): Promise<number> {
  const startedAt = Date.now();
  server.kill(signal);
  while (server.pid !== undefined) {
    if (Date.now() - startedAt > timeoutMs)
      throw new Error(`the server did not exit within ${timeoutMs} ms of ${signal}`);
    await sleep(50);
  }
  return Date.now() - startedAt;
}
