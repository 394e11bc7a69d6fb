import { Writable } from 'node:stream';
import { createLogger } from '@orderflow/platform';
import { loadSimulatorConfig, startSimulator, type SimulatorConfig } from '@orderflow/payment-simulator';
import { startReceiver, type Receiver, type Responder } from './receiver.js';

/** The secret every test signs with; not the development default, to prove it is used. */
export const TEST_SECRET = 'test-webhook-secret';

export interface HarnessOptions {
  /** Extra environment variables, e.g. PAYMENT_SUCCESS_RATE. */
  readonly env?: Readonly<Record<string, string>>;
  readonly respond?: Responder;
  /** Adjusts the parsed config, for settings without a variable (retry pacing). */
  readonly tweak?: (config: SimulatorConfig) => SimulatorConfig;
}

/** A simulator wired to a real receiver, plus small HTTP helpers. */
export interface Harness {
  readonly baseUrl: string;
  readonly receiver: Receiver;
  readonly config: SimulatorConfig;
  /** Parsed JSON log lines the simulator wrote. */
  readonly logLines: Record<string, unknown>[];
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }>;
  get(path: string): Promise<{ status: number; json: Record<string, unknown> }>;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => Promise<void>): void;
}

/** Starts a receiver and a simulator on ephemeral ports; both stop at the end of `t`. */
export async function startHarness(t: Teardown, options: HarnessOptions = {}): Promise<Harness> {
  const receiver = await startReceiver(options.respond);
  const parsed = loadSimulatorConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    PAYMENT_DELAY_MS: '0',
    PAYMENT_WEBHOOK_URL: receiver.url,
    PAYMENT_WEBHOOK_SECRET: TEST_SECRET,
    ...options.env,
  });
  const config = options.tweak ? options.tweak(parsed) : parsed;
  const logLines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const log = createLogger({
    service: 'payment-simulator',
    version: 'test',
    environment: 'test',
    level: 'info',
    destination,
  });
  const simulator = await startSimulator(config, { log });
  const baseUrl = `http://127.0.0.1:${simulator.port}`;
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= simulator.stop('test finished').then(() => receiver.close()));
  t.teardown(stop);

  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${baseUrl}${path}`, init);
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return {
    baseUrl,
    receiver,
    config,
    logLines,
    post: (body, headers = {}) =>
      call('/payments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (path) => call(path),
    stop,
  };
}

/** Settings that make retries quick enough for tests. */
export function fastRetries(config: SimulatorConfig): SimulatorConfig {
  return { ...config, webhook: { ...config.webhook, retryBaseMs: 5, retryMaxMs: 20 } };
}
