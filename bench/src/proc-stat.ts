/** What one line of /proc/<pid>/stat tells about a process. */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime (fields 14 and 15), in clock ticks. */
  readonly cpuTicks: number;
  /** cutime + cstime (fields 16 and 17): reaped children, in clock ticks. */
  readonly childTicks: number;
}

/** Resident memory from /proc/<pid>/status, in bytes. */
export interface ProcMemory {
  readonly rssBytes: number;
  /** Peak resident set size (VmHWM) over the process's life. */
  readonly hwmBytes: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself
 * hold spaces and parentheses, so fields are counted from the last `)`. Undefined when
 * the text is not a stat line.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ")": field 3 (state) is index 0, so field n is index n - 3.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  const values = [field(4), field(14), field(15), field(16), field(17)];
  if (!Number.isInteger(pid) || values.some((v) => !Number.isFinite(v))) return undefined;
  const [ppid, utime, stime, cutime, cstime] = values as [number, number, number, number, number];
  return { pid, ppid, cpuTicks: utime + stime, childTicks: cutime + cstime };
}

/** Parses VmRSS and VmHWM (kB) from /proc/<pid>/status; 0 for a line that is missing (kernel threads, zombies). */
export function parseProcStatus(text: string): ProcMemory {
  const kb = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1_024 : 0;
  };
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/**
 * Every descendant of `root` (children, grandchildren, …) given each process's parent,
 * e.g. the api's cluster workers under its primary.
 */
export function descendantsOf(root: number, parentOf: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (found.includes(pid)) continue;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * PostgreSQL's backends for one database: their titles read
 * `postgres: <cluster>: <user> <database> <client> <state>`.
 */
export function backendsOf(database: string): RegExp {
  return new RegExp(`^postgres: (?:\\S+: )?\\S+ ${database.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `);
}
