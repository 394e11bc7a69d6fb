import { join, resolve } from 'node:path';

import { binaryEnvVar, type BinaryKind } from './binary-kind.js';
import { firstExecutable, isExecutable, onPath } from './executable.js';
import { goBinDirs } from './go-tool.js';
import { findRepoRoot } from './repo-root.js';

const systemDirs = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];

/**
 * Looks for an installed binary, without installing anything: the explicit env variable
 * (which must then be right), PATH, the usual system dirs, and for ferretdb Go's bin dir
 * and <repo>/.tools/bin where scripts/install-ferretdb.sh puts it.
 */
export async function locateBinary(kind: BinaryKind, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const variable = binaryEnvVar[kind];
  const explicit = env[variable];
  if (explicit) {
    if (await isExecutable(explicit)) return resolve(explicit);
    throw new Error(`${variable}=${explicit} is not an executable file`);
  }
  const candidates = [...onPath(kind, env), ...systemDirs.map((dir) => join(dir, kind))];
  if (kind === 'ferretdb') {
    candidates.push(...(await goBinDirs(env)).map((dir) => join(dir, kind)));
    const repoRoot = await findRepoRoot();
    if (repoRoot !== undefined) candidates.push(join(repoRoot, '.tools', 'bin', kind));
  }
  return firstExecutable(candidates);
}
