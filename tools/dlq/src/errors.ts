/**
 * The command line was wrong, or the command refused to act without an explicit
 * go-ahead: main.ts prints the message (and usage when asked) and exits with code 2.
 */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
  /** Whether the usage text helps here (a bad flag) or only the message does (a refusal). */
  readonly showUsage: boolean;

  constructor(message: string, options: { showUsage?: boolean } = {}) {
    super(message);
    this.name = 'UsageError';
    this.showUsage = options.showUsage ?? true;
  }
}
