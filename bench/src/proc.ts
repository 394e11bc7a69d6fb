import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { descendantsOf, parseProcStat, parseProcStatus } from './proc-stat.js';
import type { CpuUsage } from './types.js';

/** The name the bench process itself is reported under. */
export const LOADGEN = 'loadgen';

/** A process to measure: its own pid plus, unless `alone`, every descendant. */
export interface MeasuredProcess {
  readonly name: string;
  readonly pid: number;
  /** Count the process alone (the bench: its children are the system under test). */
  readonly alone?: boolean;
  /**
   * Instead of `pid` and its tree: every process whose command line matches, for servers
   * that are not our children (PostgreSQL's backends serving FerretDB's database).
   */
  readonly cmdline?: RegExp;
}

/** CPU ticks of every measured name at one moment. */
export interface CpuMark {
  readonly atMs: number;
  readonly ticks: ReadonlyMap<string, number>;
}

/** Resident memory of every measured name at one moment, in bytes. */
export interface RssSample {
  readonly atMs: number;
  readonly rssBytes: Readonly<Record<string, number>>;
}

/** Reads /proc for a changing set of processes; samples RSS every second in the background. */
export interface ProcessSampler {
  /** Reads CPU now. */
  mark(): Promise<CpuMark>;
  /** CPU seconds between two marks, per name and in total (the loadgen apart). */
  cpuBetween(from: CpuMark, to: CpuMark): CpuUsage;
  /** Highest sampled RSS per name between two wall-clock times. */
  peakRss(fromMs: number, toMs: number): Record<string, number>;
  /** Lifetime peak RSS (VmHWM) per name, read now. */
  highWaterMarks(): Promise<Record<string, number>>;
  /** Every RSS sample since `fromMs`. */
  rssSeries(fromMs: number): RssSample[];
  stop(): void;
}

/** Clock ticks per second (`getconf CLK_TCK`), 100 when it cannot be read. */
export async function clockTicksPerSecond(): Promise<number> {
  try {
    const { stdout } = await promisify(execFile)('getconf', ['CLK_TCK']);
    const value = Number(stdout.trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

/**
 * Starts sampling `processes()` (asked again on every read, so restarted stacks are
 * followed). Descendants are summed under their root's name: the api is its primary plus
 * its workers. Reaped children's time (cutime/cstime of the root) is counted too, so a
 * worker that exits does not take its CPU seconds with it.
 */
export function startProcessSampler(
  processes: () => readonly MeasuredProcess[],
  ticksPerSecond: number,
  intervalMs = 1_000,
): ProcessSampler {
  const samples: RssSample[] = [];
  let busy = false;

  const treeOf = async () => {
    const measured = processes();
    const matching = measured.some((p) => p.cmdline !== undefined);
    const parentOf = new Map<number, number>();
    const cmdlineOf = new Map<number, string>();
    for (const entry of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = parseProcStat(await readText(`/proc/${entry}/stat`));
      if (stat) parentOf.set(stat.pid, stat.ppid);
      if (stat && matching) cmdlineOf.set(stat.pid, (await readText(`/proc/${entry}/cmdline`)).replaceAll('\0', ' '));
    }
    const pidsOf = (p: MeasuredProcess): number[] => {
      const pattern = p.cmdline;
      if (pattern !== undefined) return [...cmdlineOf].filter(([, line]) => pattern.test(line)).map(([pid]) => pid);
      return p.alone ? [p.pid] : [p.pid, ...descendantsOf(p.pid, parentOf)];
    };
    return new Map(measured.map((p) => [p.name, pidsOf(p)] as const));
  };

  const sampleRss = async () => {
    if (busy) return;
    busy = true;
    try {
      const rssBytes: Record<string, number> = {};
      for (const [name, pids] of await treeOf()) {
        let sum = 0;
        for (const pid of pids) sum += parseProcStatus(await readText(`/proc/${pid}/status`)).rssBytes;
        rssBytes[name] = sum;
      }
      samples.push({ atMs: Date.now(), rssBytes });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sampleRss(), intervalMs);
  timer.unref();
  void sampleRss();

  return {
    async mark() {
      const ticks = new Map<string, number>();
      for (const [name, pids] of await treeOf()) {
        let sum = 0;
        for (const [index, pid] of pids.entries()) {
          const stat = parseProcStat(await readText(`/proc/${pid}/stat`));
          if (stat) sum += stat.cpuTicks + (index === 0 ? stat.childTicks : 0);
        }
        ticks.set(name, sum);
      }
      return { atMs: Date.now(), ticks };
    },
    cpuBetween(from, to) {
      const perProcessS: Record<string, number> = {};
      let totalS = 0;
      let loadgenS = 0;
      for (const [name, after] of to.ticks) {
        const seconds = Math.max(0, after - (from.ticks.get(name) ?? after)) / ticksPerSecond;
        if (name === LOADGEN) loadgenS = seconds;
        else {
          perProcessS[name] = seconds;
          totalS += seconds;
        }
      }
      return { totalS, perProcessS, loadgenS };
    },
    peakRss(fromMs, toMs) {
      const peak: Record<string, number> = {};
      for (const sample of samples) {
        if (sample.atMs < fromMs || sample.atMs > toMs) continue;
        for (const [name, bytes] of Object.entries(sample.rssBytes)) peak[name] = Math.max(peak[name] ?? 0, bytes);
      }
      return peak;
    },
    async highWaterMarks() {
      const hwm: Record<string, number> = {};
      for (const [name, pids] of await treeOf()) {
        let sum = 0;
        for (const pid of pids) sum += parseProcStatus(await readText(`/proc/${pid}/status`)).hwmBytes;
        hwm[name] = sum;
      }
      return hwm;
    },
    rssSeries: (fromMs) => samples.filter((s) => s.atMs >= fromMs),
    stop: () => clearInterval(timer),
  };
}

/** A /proc file's text, or '' once the process is gone. */
function readText(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}
