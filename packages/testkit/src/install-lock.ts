import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isProcessAlive } from './process-alive.js';

const waitForLockMs = 15 * 60_000;
const pollMs = 250;
// A lock dir without an owner file is only abandoned once it is clearly not being set up.
const ownerlessStaleMs = 30_000;

/**
 * Runs `operation` while holding a machine-wide lock named `name` (a directory under
 * os.tmpdir(): mkdir is atomic). Locks whose owner process is gone are taken over.
 */
export async function withInstallLock<T>(name: string, operation: () => Promise<T>): Promise<T> {
  const lockDir = join(tmpdir(), `orderflow-install-${name}.lock`);
  const deadline = Date.now() + waitForLockMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockDir)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${waitForLockMs} ms waiting for ${lockDir}; remove it if no install is running`);
    }
    await delay(pollMs);
  }
  try {
    await writeFile(join(lockDir, 'owner'), String(process.pid));
    return await operation();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function isStale(lockDir: string): Promise<boolean> {
  const owner = Number(await readFile(join(lockDir, 'owner'), 'utf8').catch(() => ''));
  if (Number.isInteger(owner) && owner > 0) return !isProcessAlive(owner);
  try {
    return Date.now() - (await stat(lockDir)).mtimeMs > ownerlessStaleMs;
  } catch {
    // Gone already: the next mkdir decides.
    return false;
  }
}
