import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from './errors.js';

/** Asks a yes/no question; resolves true only for an explicit yes. */
export type Confirm = (question: string) => Promise<boolean>;

/**
 * Asks on the terminal. Without a terminal nobody can answer, and a destructive command
 * run from a script must say `--yes` itself: the question then fails with a UsageError.
 */
export function createTerminalConfirm(input: Readable & { isTTY?: boolean }, output: Writable): Confirm {
  return async (question) => {
    if (input.isTTY !== true) {
      throw new UsageError(`${question} Standard input is not a terminal: pass --yes to go ahead.`, {
        showUsage: false,
      });
    }
    const prompt = createInterface({ input, output });
    try {
      const answer = await prompt.question(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      prompt.close();
    }
  };
}
