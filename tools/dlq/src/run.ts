import type { Invocation } from './cli-args.js';
import type { CommandDeps, ExitCode } from './commands/deps.js';
import { listCommand } from './commands/list.js';
import { purgeCommand } from './commands/purge.js';
import { replayCommand } from './commands/replay.js';
import { showCommand } from './commands/show.js';
import { USAGE } from './usage.js';

/** Runs what the command line asked for; the exit code tells how it went. */
export async function runInvocation(deps: CommandDeps, invocation: Invocation): Promise<ExitCode> {
  switch (invocation.command) {
    case 'help':
      deps.out.line(USAGE);
      return 0;
    case 'list':
      return listCommand(deps, invocation.options);
    case 'show':
      return showCommand(deps, invocation.options);
    case 'replay':
      return replayCommand(deps, invocation.options);
    case 'purge':
      return purgeCommand(deps, invocation.options);
  }
}
