import { connect } from 'node:net';

import { pollUntil } from './poll.js';

const attemptTimeoutMs = 1_000;
// An INFO line is a few hundred bytes; anything much longer is not a NATS server.
const maxLineBytes = 64 * 1024;

/**
 * Connects once and resolves with the first protocol line if it is a NATS `INFO ` line,
 * otherwise undefined. A NATS server sends INFO unprompted on every new connection.
 */
export function readNatsInfoLine(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = '';
    const finish = (line: string | undefined): void => {
      socket.destroy();
      resolve(line);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('end', () => finish(undefined));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline >= 0) {
        const line = received.slice(0, newline).replace(/\r$/, '');
        finish(line.startsWith('INFO ') ? line : undefined);
      } else if (received.length > maxLineBytes) {
        finish(undefined);
      }
    });
  });
}

/** Resolves once a NATS server on host:port greets a new connection with its INFO line. */
export async function waitForNatsInfo(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  await pollUntil(
    async (remainingMs) => (await readNatsInfoLine(host, port, Math.min(remainingMs, attemptTimeoutMs))) !== undefined,
    { timeoutMs, signal, what: `a NATS INFO line from ${host}:${port}` },
  );
}
