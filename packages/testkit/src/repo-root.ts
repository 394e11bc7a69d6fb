import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The monorepo root: the nearest directory above `startDir` whose package.json declares
 * workspaces. Undefined when this package runs outside the repository.
 */
export async function findRepoRoot(startDir: string = import.meta.dirname): Promise<string | undefined> {
  for (let dir = startDir; ; dir = dirname(dir)) {
    if (await declaresWorkspaces(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

async function declaresWorkspaces(packageJsonPath: string): Promise<boolean> {
  try {
    const manifest: unknown = JSON.parse(await readFile(packageJsonPath, 'utf8'));
    return typeof manifest === 'object' && manifest !== null && 'workspaces' in manifest;
  } catch {
    return false;
  }
}
