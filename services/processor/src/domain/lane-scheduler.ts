import type { Lane } from '@orderflow/core';

/**
 * Smooth weighted round robin over the lanes that have work waiting: with weights
 * high:6, normal:3, low:1 and every lane busy, ten picks give 6 high, 3 normal and 1
 * low, interleaved — a waiting lower lane always gets its share (the starvation guard).
 */
export function createLanePicker(weights: Readonly<Record<Lane, number>>) {
  const credit: Record<Lane, number> = { high: 0, normal: 0, low: 0 };
  return {
    pick(waiting: readonly Lane[]): Lane | undefined {
      let best: Lane | undefined;
      let total = 0;
      for (const lane of waiting) {
        credit[lane] += weights[lane];
        total += weights[lane];
        if (best === undefined || credit[lane] > credit[best]) best = lane;
      }
      if (best !== undefined) credit[best] -= total;
      return best;
    },
  };
}

const LANE_ORDER: readonly Lane[] = ['high', 'normal', 'low'];

/**
 * At most `maxInFlight` tasks run at once; when one ends, the freed slot goes to a
 * waiting task of the lane the picker chooses. `progress` runs every `heartbeatMs` from
 * the moment a task is handed in until it ends, queued or running, to tell the broker the
 * message is still being handled (a slow provider must not cause a redelivery).
 */
export function createLaneScheduler(options: {
  readonly weights: Readonly<Record<Lane, number>>;
  readonly maxInFlight: number;
  readonly heartbeatMs: number;
}) {
  const picker = createLanePicker(options.weights);
  const queues: Record<Lane, (() => void)[]> = { high: [], normal: [], low: [] };
  let running = 0;

  function release(): void {
    const waiting = LANE_ORDER.filter((lane) => queues[lane].length > 0);
    const lane = picker.pick(waiting);
    const next = lane === undefined ? undefined : queues[lane].shift();
    if (next) next();
    else running--;
  }

  return {
    get running() {
      return running;
    },
    waiting(lane: Lane): number {
      return queues[lane].length;
    },
    async run<T>(lane: Lane, task: () => Promise<T>, progress?: () => void): Promise<T> {
      const heartbeat = progress ? setInterval(progress, options.heartbeatMs) : undefined;
      try {
        if (running < options.maxInFlight) running++;
        else await new Promise<void>((resolve) => queues[lane].push(resolve));
        try {
          return await task();
        } finally {
          release();
        }
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
}

export type LaneScheduler = ReturnType<typeof createLaneScheduler>;
