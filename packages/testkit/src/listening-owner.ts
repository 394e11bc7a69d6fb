import { readdir, readFile, readlink } from 'node:fs/promises';

const tcpTables = ['/proc/net/tcp', '/proc/net/tcp6'];
const listenState = '0A';

/**
 * Whether process `pid` holds a listening TCP socket on `port`, read from /proc.
 * Without this check a server that failed to bind could look ready because some other
 * process answers on the same port. Returns undefined where /proc is not available.
 */
export async function ownsListeningPort(pid: number, port: number): Promise<boolean | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes === undefined) return undefined;
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && inodes.has(inode)) return true;
  }
  return false;
}

/** Socket inodes listening on `port`, or undefined when no TCP table is readable. */
async function listeningInodes(port: number): Promise<Set<string> | undefined> {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  let readable = false;
  for (const table of tcpTables) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const columns = line.trim().split(/\s+/);
      const localAddress = columns[1];
      const inode = columns[9];
      if (localAddress === undefined || inode === undefined) continue;
      if (columns[3] === listenState && localAddress.endsWith(`:${portHex}`)) inodes.add(inode);
    }
  }
  return readable ? inodes : undefined;
}
