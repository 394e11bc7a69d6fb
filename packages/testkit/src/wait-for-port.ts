import { connect } from 'node:net';

import { pollUntil } from './poll.js';

const attemptTimeoutMs = 1_000;

/** Whether one TCP connect to host:port succeeds within timeoutMs. */
export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (connected: boolean): void => {
      socket.destroy();
      resolve(connected);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Resolves once host:port accepts a TCP connection; rejects after timeoutMs, or when
 * `signal` aborts (with its reason).
 */
export async function waitForPort(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await pollUntil((remainingMs) => canConnect(host, port, Math.min(remainingMs, attemptTimeoutMs)), {
    timeoutMs,
    signal,
    what: `${host}:${port} to accept connections`,
  });
}
