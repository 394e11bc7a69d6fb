import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { serveClusterMetrics } from './primary-metrics.js';

export interface ClusterOptions {
  /** How many workers to keep running. */
  readonly workers: number;
  readonly log: Logger;
  /** How long the workers get to drain after `stop()`; those still running are then killed. */
  readonly shutdownTimeoutMs: number;
  /** Delay before replacing a dead worker, doubled for each early death in a row. */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** A worker that ran this long was healthy: its death starts the backoff afresh. */
  readonly healthyAfterMs?: number;
  /** The workers' entry point and Node flags (tests); this process's own when omitted, as node:cluster does. */
  readonly exec?: string;
  readonly execArgv?: readonly string[];
  /** Variables added to every worker's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunningCluster {
  /** Process ids of the workers running now. */
  pids(): number[];
  /**
   * SIGTERM to every worker (each runs its own graceful shutdown), SIGKILL to those still
   * running after `shutdownTimeoutMs`. `clean` when every worker exited 0 in time. Idempotent.
   */
  stop(reason?: string): Promise<{ readonly clean: boolean }>;
}

interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

interface Member {
  readonly worker: Worker;
  readonly exited: Promise<ExitStatus>;
}

/**
 * Makes this process the primary of a node:cluster (SPEC §1: the api): forks `workers`
 * processes that share the listening port round-robin, replaces a worker that dies with
 * a growing delay (so a crash loop does not spin), and aggregates `/metrics` for them.
 * The primary opens no dependency itself; each worker runs the whole service.
 */
export function runCluster(options: ClusterOptions): RunningCluster {
  if (!cluster.isPrimary) throw new Error('runCluster must run in the primary process');
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new RangeError(`options.workers must be a positive integer (got ${options.workers})`);
  }
  const { log } = options;
  const restartDelayMs = options.restartDelayMs ?? 100;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
  const healthyAfterMs = options.healthyAfterMs ?? 30_000;
  cluster.setupPrimary({
    ...(options.exec === undefined ? {} : { exec: options.exec }),
    ...(options.execArgv === undefined ? {} : { execArgv: [...options.execArgv] }),
  });
  const metrics = serveClusterMetrics(cluster);
  const members = new Map<number, Member>();
  const restarts = new Set<NodeJS.Timeout>();
  let earlyDeaths = 0;
  let stopped: Promise<{ clean: boolean }> | undefined;

  function fork(): void {
    const worker = cluster.fork(options.env);
    const startedMs = Date.now();
    const exited = new Promise<ExitStatus>((resolve) =>
      worker.once('exit', (code: number | null, signal: string | null) => resolve({ code, signal })),
    );
    // IPC failures of a dying worker surface here; unhandled, they would crash the primary.
    worker.on('error', (error) => log.warn({ err: error, 'event.action': 'worker-ipc-error' }, 'worker IPC failed'));
    members.set(worker.id, { worker, exited });
    void exited.then((status) => {
      members.delete(worker.id);
      if (!stopped) replace(worker, Date.now() - startedMs, status);
    });
  }

  function replace(worker: Worker, ranMs: number, status: ExitStatus): void {
    earlyDeaths = ranMs < healthyAfterMs ? earlyDeaths + 1 : 1;
    const delayMs = Math.min(maxRestartDelayMs, restartDelayMs * 2 ** (earlyDeaths - 1));
    const how = status.signal === null ? `exit code ${status.code}` : `signal ${status.signal}`;
    log.error(
      {
        'event.action': 'worker-died',
        worker: {
          id: worker.id,
          pid: worker.process.pid,
          exit_code: status.code,
          signal: status.signal,
          ran_ms: ranMs,
        },
        restart_delay_ms: delayMs,
      },
      `worker ${worker.process.pid} died (${how}); starting a new one in ${delayMs} ms`,
    );
    const timer = setTimeout(() => {
      restarts.delete(timer);
      fork();
    }, delayMs);
    restarts.add(timer);
  }

  async function stopAll(reason: string): Promise<{ clean: boolean }> {
    for (const timer of restarts) clearTimeout(timer);
    restarts.clear();
    const stopping = [...members.values()];
    log.info({ 'event.action': 'cluster-stopping', reason }, `stopping ${stopping.length} workers (${reason})`);
    // A plain signal, not worker.kill(): that disconnects first, and a worker whose
    // channel closes exits at once instead of draining.
    for (const { worker } of stopping) worker.process.kill('SIGTERM');
    const statuses = Promise.all(stopping.map((m) => m.exited));
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      statuses.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), options.shutdownTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      const left = [...members.values()];
      log.error(
        { 'event.action': 'cluster-stop-timeout', reason },
        `${left.length} workers still running after ${options.shutdownTimeoutMs} ms; killing them`,
      );
      for (const { worker } of left) worker.process.kill('SIGKILL');
    }
    const exits = await statuses;
    const clean = inTime && exits.every(stoppedCleanly);
    metrics.close();
    log.info({ 'event.action': 'cluster-stopped', reason }, `every worker stopped${clean ? '' : ' (not all cleanly)'}`);
    return { clean };
  }

  log.info({ 'event.action': 'cluster-starting' }, `primary ${process.pid} starting ${options.workers} workers`);
  for (let i = 0; i < options.workers; i++) fork();

  return {
    pids: () =>
      [...members.values()].flatMap(({ worker }) => (worker.process.pid === undefined ? [] : [worker.process.pid])),
    stop: (reason = 'stop requested') => (stopped ??= stopAll(reason)),
  };
}

/**
 * Exit 0 after draining; or killed by the stop signal itself, which only happens to a
 * worker still loading, before it set up its handlers and took any work.
 */
function stoppedCleanly({ code, signal }: ExitStatus): boolean {
  return code === 0 || signal === 'SIGTERM' || signal === 'SIGINT';
}
