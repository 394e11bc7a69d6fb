import type { Confirm } from '../confirm.js';
import type { DlqAccess } from '../dead-letters.js';
import type { Output } from '../output.js';

/** What every command is given: NATS access, the deployment's names, where to write, whom to ask. */
export interface CommandDeps extends DlqAccess {
  readonly out: Output;
  readonly confirm: Confirm;
}

/** Process exit code a command ends with: 0 done, 1 something was not (found, replayed, confirmed). */
export type ExitCode = 0 | 1;
