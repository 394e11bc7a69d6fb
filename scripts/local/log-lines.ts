import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

const COLORS = [36, 35, 33, 32, 34, 31];
const LEVEL_WIDTH = 5;

/** Prefixes every line of `stream` with `name`; ECS JSON lines are shortened to time, level, message. */
export function pipeLines(
  stream: Readable,
  name: string,
  index: number,
  options: { readonly raw: boolean; readonly color: boolean; readonly write: (line: string) => void },
): void {
  const label = name.padEnd(10);
  const prefix = options.color ? `\x1b[${COLORS[index % COLORS.length]}m${label}\x1b[0m│ ` : `${label}│ `;
  createInterface({ input: stream }).on('line', (line) => {
    options.write(prefix + (options.raw ? line : readable(line)));
  });
}

/** `12:00:01.123 INFO  message  order.id=…` from an ECS JSON log line; other lines as they are. */
export function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as {
      '@timestamp'?: string;
      'log.level'?: string;
      'order.id'?: string;
      message?: string;
      error?: { message?: string };
    };
    const time = entry['@timestamp']?.slice(11, 23) ?? '';
    const level = (entry['log.level'] ?? '').toUpperCase().padEnd(LEVEL_WIDTH);
    const orderId = entry['order.id'] === undefined ? '' : `  order.id=${entry['order.id']}`;
    const error = entry.error?.message;
    return `${time} ${level} ${entry.message ?? ''}${orderId}${error ? `  error=${error}` : ''}`;
  } catch {
    return line;
  }
}
