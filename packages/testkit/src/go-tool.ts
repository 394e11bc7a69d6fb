import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

import { firstExecutable, onPath } from './executable.js';

const run = promisify(execFile);

/** The `go` command: on PATH, or where the official tarball installs it. */
export function findGo(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return firstExecutable([...onPath('go', env), '/usr/local/go/bin/go']);
}

/** Directories `go install` writes to: each GOPATH entry's bin (GOPATH or ~/go without Go). */
export async function goBinDirs(env: NodeJS.ProcessEnv): Promise<string[]> {
  const go = await findGo(env);
  let gopath = env.GOPATH ?? join(homedir(), 'go');
  if (go !== undefined) {
    try {
      gopath = (await run(go, ['env', 'GOPATH'], { env })).stdout.trim() || gopath;
    } catch {
      // A broken Go setup should not hide binaries elsewhere; the default is still worth a look.
    }
  }
  return gopath
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'bin'));
}
