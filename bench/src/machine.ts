import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';

/** Where the numbers were measured. */
export interface MachineFacts {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly gitCommit: string | null;
  readonly date: string;
}

/** What the servers of one stack report about themselves. */
export interface ServerFacts {
  readonly natsServer: string | null;
  readonly ferretdb: string | null;
  /** MongoDB wire version the server claims. */
  readonly mongoVersion: string | null;
}

/** CPU, cores, memory, Node version, commit and date. */
export async function machineFacts(repoRoot: string): Promise<MachineFacts> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    node: process.version,
    gitCommit: await gitCommit(repoRoot),
    date: new Date().toISOString(),
  };
}

/** nats-server's version from its INFO, FerretDB's from `buildInfo`. */
export async function serverFacts(nats: NatsConnection, mongoUrl: string): Promise<ServerFacts> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 10_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return {
      natsServer: nats.info?.version ?? null,
      ferretdb: typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : null,
      mongoVersion: typeof info.version === 'string' ? info.version : null,
    };
  } catch {
    return { natsServer: nats.info?.version ?? null, ferretdb: null, mongoVersion: null };
  } finally {
    await client.close();
  }
}

/**
 * The short commit of HEAD, read from .git (what `git rev-parse --short HEAD` prints,
 * without running git); null outside a repository.
 */
export async function gitCommit(repoRoot: string): Promise<string | null> {
  const gitDir = join(repoRoot, '.git');
  const head = (await readFile(join(gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40}$/.test(head)) return head.slice(0, 7);
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (ref === undefined) return null;
  const loose = (await readFile(join(gitDir, ref), 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40}$/.test(loose)) return loose.slice(0, 7);
  const packed = await readFile(join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
  const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
  const sha = line?.split(' ')[0];
  return sha !== undefined && /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : null;
}
