import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { latencyHistogram, recordMs, summarize } from './histogram.js';
import type { LoadResult } from './types.js';

/** One request of an open-loop stream. */
export interface PlannedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

/** How one open-loop stream runs. */
export interface OpenLoopOptions {
  readonly dispatcher: Dispatcher;
  /** Requests per second; request i is due at t0 + i / rate. */
  readonly rate: number;
  readonly durationMs: number;
  /** Requests in flight beyond which a due request is counted as not sent. */
  readonly maxOutstanding: number;
  /** The i-th request. */
  next(index: number): PlannedRequest;
  /** Called with the parsed JSON body of each 2xx answer when `wantJson` is set. */
  readonly wantJson?: boolean;
  onAccepted?(json: unknown): void;
  /**
   * How long answers may trail the last due request; requests still open then are
   * aborted and counted as `timeout` (their latency recorded up to that moment).
   */
  readonly graceMs: number;
  /** Stops sending early (Ctrl-C). */
  readonly signal?: AbortSignal;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Sends requests at a constant arrival rate, whatever the answers do (open loop). A 1 ms
 * timer sends every request that is due; latency runs from the due time, not the send
 * time, so a slow server cannot hide its queueing (no coordinated omission). Resolves
 * once every sent request has been answered, has failed or was cut off after the grace.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadResult> {
  const { dispatcher, rate, durationMs, maxOutstanding } = options;
  const total = Math.floor((rate * durationMs) / 1_000);
  const intervalMs = 1_000 / rate;
  const histogram = latencyHistogram();
  const byStatus: Record<string, number> = {};
  const retryAfter: Record<string, number> = {};
  const seconds = Math.max(1, Math.floor(durationMs / 1_000));
  const acceptedPerSecond: number[] = Array.from({ length: seconds }, () => 0);
  let sent = 0;
  let notSent = 0;
  let accepted = 0;
  let outstanding = 0;
  let next = 0;
  let lastAnswerMs = 0;
  const cutOff = new AbortController();
  const t0 = performance.now();

  const count = (key: string) => (byStatus[key] = (byStatus[key] ?? 0) + 1);
  const send = async (index: number, dueMs: number) => {
    const planned = options.next(index);
    outstanding += 1;
    sent += 1;
    try {
      const response = await dispatcher.request({
        method: planned.method,
        path: planned.path,
        signal: cutOff.signal,
        ...(planned.body === undefined ? {} : { body: planned.body, headers: JSON_HEADERS }),
      });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      let json: unknown;
      if (ok && options.wantJson) json = await response.body.json();
      else await response.body.dump();
      const endMs = performance.now();
      lastAnswerMs = Math.max(lastAnswerMs, endMs);
      recordMs(histogram, endMs - dueMs);
      count(String(response.statusCode));
      if (response.statusCode === 429) {
        const header = response.headers['retry-after'];
        const key = header === undefined ? 'none' : String(header);
        retryAfter[key] = (retryAfter[key] ?? 0) + 1;
      }
      if (ok) {
        accepted += 1;
        const second = Math.floor((endMs - t0) / 1_000);
        if (second < seconds) acceptedPerSecond[second] = (acceptedPerSecond[second] ?? 0) + 1;
        if (json !== undefined) options.onAccepted?.(json);
      }
    } catch {
      recordMs(histogram, performance.now() - dueMs);
      count(cutOff.signal.aborted ? 'timeout' : 'network');
    } finally {
      outstanding -= 1;
    }
  };

  const inFlight = new Set<Promise<void>>();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (next < total && t0 + next * intervalMs <= now) {
        if (options.signal?.aborted) break;
        const dueMs = t0 + next * intervalMs;
        if (outstanding >= maxOutstanding) notSent += 1;
        else {
          const request = send(next, dueMs);
          inFlight.add(request);
          void request.finally(() => inFlight.delete(request));
        }
        next += 1;
      }
      if (next >= total || options.signal?.aborted) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const abortAll = () => cutOff.abort();
  options.signal?.addEventListener('abort', abortAll, { once: true });
  const timer = setTimeout(abortAll, Math.max(0, t0 + durationMs + options.graceMs - performance.now()));
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', abortAll);

  return {
    offeredRate: rate,
    durationS: durationMs / 1_000,
    due: next,
    sent,
    notSent,
    byStatus,
    accepted,
    errors: sent - accepted,
    answeredForS: lastAnswerMs > 0 ? (lastAnswerMs - t0) / 1_000 : 0,
    retryAfter,
    latency: summarize(histogram),
    acceptedPerSecond,
  };
}
