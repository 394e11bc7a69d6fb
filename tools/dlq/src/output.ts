import type { Writable } from 'node:stream';

/** Where a command writes: results on `line`, diagnostics on `note`, so pipes get clean data. */
export interface Output {
  /** One line of the command's result (standard output). */
  line(text: string): void;
  /** One line of commentary or warning (standard error). */
  note(text: string): void;
}

/** Output to two streams, normally process.stdout and process.stderr. */
export function createStreamOutput(stdout: Writable, stderr: Writable): Output {
  return {
    line: (text) => void stdout.write(`${text}\n`),
    note: (text) => void stderr.write(`${text}\n`),
  };
}
