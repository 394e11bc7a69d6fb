import { spawn } from 'node:child_process';

/**
 * Bash watchdog over the system's child processes. Lines `+<pid>` / `-<pid>` on its stdin
 * add and remove a pid; when stdin closes — `close()`, or the test process dying in any
 * way, SIGKILL and tap timeouts included — it SIGKILLs every pid still listed, so no
 * service outlives its scenario.
 */
const reaperScript = [
  "trap '' PIPE TERM HUP INT",
  'pids=" "',
  'while read -r line; do',
  '  case $line in',
  '    +*) pids="$pids${line#+} " ;;',
  '    -*) pids="${pids/ ${line#-} / }" ;;',
  '  esac',
  'done',
  'for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done',
].join('\n');

export interface Reaper {
  watch(pid: number): void;
  forget(pid: number): void;
  /** Kills whatever is still watched and lets the watchdog exit. */
  close(): void;
}

export function startReaper(): Reaper {
  const child = spawn('bash', ['-c', reaperScript], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  const stdin = child.stdin;
  stdin.on('error', () => undefined);
  // Unreferenced, so an idle watchdog never keeps the test process alive.
  (stdin as unknown as { unref?: () => void }).unref?.();
  const send = (line: string) => {
    if (!stdin.destroyed && stdin.writable) stdin.write(`${line}\n`);
  };
  return {
    watch: (pid) => send(`+${pid}`),
    forget: (pid) => send(`-${pid}`),
    close: () => stdin.end(),
  };
}
