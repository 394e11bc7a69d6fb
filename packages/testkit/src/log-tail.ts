import { open, stat } from 'node:fs/promises';

/** Current size of a log file, so a later tail can skip what earlier runs wrote. */
export async function logSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The last `maxLines` lines written to `path` after byte `fromOffset` ('' if none). */
export async function logTail(path: string, fromOffset: number, maxLines = 40): Promise<string> {
  const maxBytes = 64 * 1024;
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(fromOffset, size - maxBytes);
      const buffer = Buffer.alloc(Math.max(size - start, 0));
      await file.read(buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      return lines.slice(-maxLines).join('\n');
    } finally {
      await file.close();
    }
  } catch {
    return '';
  }
}
