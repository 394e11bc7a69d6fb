import { spawn } from 'node:child_process';

const keptOutputChars = 4_000;

/** How a command ended, with the end of its combined output. */
export interface CommandResult {
  exitCode: number | null;
  outputTail: string;
}

/**
 * Runs a command, echoing its output to our stderr (installs can take minutes and the
 * person waiting should see why), and keeps the end of it for error messages.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer): void => {
      process.stderr.write(chunk);
      output = (output + chunk.toString('utf8')).slice(-keptOutputChars);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => resolve({ exitCode: null, outputTail: error.message }));
    child.once('close', (exitCode) => resolve({ exitCode, outputTail: output.trim() }));
  });
}
