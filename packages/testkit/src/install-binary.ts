import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

import { type BinaryKind, notFoundMessage } from './binary-kind.js';
import { firstExecutable, onPath } from './executable.js';
import { findGo } from './go-tool.js';
import { withInstallLock } from './install-lock.js';
import { locateBinary } from './locate-binary.js';
import { findRepoRoot } from './repo-root.js';
import { runCommand } from './run-command.js';

/** A way to install a missing binary on this machine. */
interface Installer {
  /** The command, as shown in messages. */
  description: string;
  /** Resolves with the end of the output on failure, undefined on success. */
  run(): Promise<string | undefined>;
}

/**
 * Installs a missing binary when this machine allows it (apt-get as root for nats-server,
 * a Go build for ferretdb) and returns its path; otherwise throws saying what to install.
 * Parallel callers (several test files) share one install through a lock.
 */
export async function installBinary(kind: BinaryKind, env: NodeJS.ProcessEnv): Promise<string> {
  const installer = kind === 'nats-server' ? await aptInstaller(env) : await ferretInstaller(env);
  if (installer === undefined) throw new Error(notFoundMessage(kind));
  return withInstallLock(kind, async () => {
    // Someone else may have finished the install while we waited for the lock.
    const installed = await locateBinary(kind, env);
    if (installed !== undefined) return installed;
    process.stderr.write(`${kind} not found; installing it: ${installer.description}\n`);
    const failure = await installer.run();
    const found = await locateBinary(kind, env);
    if (found !== undefined) return found;
    const detail = failure === undefined ? 'it finished but the binary is still missing' : `it failed:\n${failure}`;
    throw new Error(`${notFoundMessage(kind)}\nTried \`${installer.description}\`; ${detail}`);
  });
}

async function aptInstaller(env: NodeJS.ProcessEnv): Promise<Installer | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const aptGet = await firstExecutable([...onPath('apt-get', env), '/usr/bin/apt-get']);
  if (aptGet === undefined) return undefined;
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): ReturnType<typeof runCommand> =>
    runCommand(aptGet, ['install', '-y', 'nats-server'], { env: aptEnv });
  return {
    description: 'apt-get install -y nats-server',
    async run() {
      if ((await install()).exitCode === 0) return undefined;
      // Fresh images often have empty package lists.
      await runCommand(aptGet, ['update'], { env: aptEnv });
      const retry = await install();
      return retry.exitCode === 0 ? undefined : retry.outputTail;
    },
  };
}

async function ferretInstaller(env: NodeJS.ProcessEnv): Promise<Installer | undefined> {
  const go = await findGo(env);
  const repoRoot = await findRepoRoot();
  if (go === undefined || repoRoot === undefined) return undefined;
  const script = join(repoRoot, 'scripts', 'install-ferretdb.sh');
  if (!existsSync(script)) return undefined;
  // The script calls plain `go`, which may only be known to us by its full path.
  const scriptEnv = { ...env, PATH: [dirname(go), env.PATH ?? ''].join(delimiter) };
  return {
    description: 'bash scripts/install-ferretdb.sh',
    async run() {
      const result = await runCommand('bash', [script], { cwd: repoRoot, env: scriptEnv });
      return result.exitCode === 0 ? undefined : result.outputTail;
    },
  };
}
