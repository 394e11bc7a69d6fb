/** A dependency whose reachability /ready reports. */
export interface ReadinessCheck {
  readonly name: string;
  /** When false, a failure is reported in the body but does not make the process unready. */
  readonly required: boolean;
  /** Resolves when the dependency answers; rejects (or returns false) otherwise. */
  readonly probe: () => Promise<boolean | void> | boolean;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: 'ready' | 'starting' | 'not_ready' | 'draining';
  readonly checks: Record<string, 'up' | 'down'>;
}

/**
 * The readiness state of a process: starting until its work has started, then the
 * state of its dependencies, and draining (never ready again) once it is stopping.
 */
export interface Readiness {
  add(check: ReadinessCheck): void;
  markStarted(): void;
  markDraining(): void;
  readonly draining: boolean;
  report(): Promise<ReadinessReport>;
}

const PROBE_TIMEOUT_MS = 2_000;

export function createReadiness(): Readiness {
  const checks: ReadinessCheck[] = [];
  let started = false;
  let draining = false;
  return {
    add: (check) => void checks.push(check),
    markStarted: () => void (started = true),
    markDraining: () => void (draining = true),
    get draining() {
      return draining;
    },
    async report() {
      const results = await Promise.all(checks.map(async (check) => [check, await probeOnce(check)] as const));
      const state: Record<string, 'up' | 'down'> = {};
      for (const [check, up] of results) state[check.name] = up ? 'up' : 'down';
      const dependenciesUp = results.every(([check, up]) => up || !check.required);
      const status = draining ? 'draining' : !started ? 'starting' : dependenciesUp ? 'ready' : 'not_ready';
      return { ready: status === 'ready', status, checks: state };
    },
  };
}

async function probeOnce(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    const result = Promise.resolve(check.probe()).then(
      (value) => value !== false,
      () => false,
    );
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
