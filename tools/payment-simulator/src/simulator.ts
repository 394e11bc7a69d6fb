import { createLogger, type Logger } from '@orderflow/platform';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { Agent } from 'undici';
import type { SimulatorConfig } from './config.js';
import { runPayment } from './payment-flow.js';
import { createPaymentStore } from './payment-store.js';
import { registerRoutes } from './routes.js';
import { createWebhookSender } from './webhook-sender.js';

/** Optional collaborators of `startSimulator`; defaults suit a real run. */
export interface SimulatorOptions {
  /** Where log lines go; a `payment-simulator` logger on stdout when omitted. */
  readonly log?: Logger;
  /** The provider's clock (epoch ms), stamped into `created_at`. */
  readonly now?: () => number;
}

/** A listening simulator. */
export interface RunningSimulator {
  /** The bound port (useful with PORT=0). */
  readonly port: number;
  /** Closes the server and cancels pending decisions and deliveries. Idempotent. */
  stop(reason?: string): Promise<void>;
}

/**
 * Starts the payment provider simulator: an HTTP API that accepts payment requests and,
 * after `config.delayMs`, answers through signed webhooks to `config.webhook.url`.
 */
export async function startSimulator(
  config: SimulatorConfig,
  options: SimulatorOptions = {},
): Promise<RunningSimulator> {
  const log =
    options.log ??
    createLogger({
      service: 'payment-simulator',
      version: config.version,
      environment: config.environment,
      level: config.logLevel,
    });
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  // Own connection pool, so stop() can close every socket and tests exit promptly.
  const dispatcher = new Agent({ keepAliveTimeout: 4_000 });
  const store = createPaymentStore(config.seed);
  const send = createWebhookSender(config.webhook, dispatcher, `orderflow-payment-simulator/${config.version}`, now);
  const running = new Set<Promise<void>>();
  const flowDeps = { config, store, send, log, now, signal: stopping.signal };

  const loggerInstance: FastifyBaseLogger = log;
  // One log line per decision and per webhook is the useful signal; per-request lines drown it.
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  registerRoutes(app, {
    store,
    now,
    onAccepted(payment) {
      const run = runPayment(payment, flowDeps);
      running.add(run);
      void run.finally(() => running.delete(run));
    },
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await dispatcher.destroy();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info(
    {
      'event.action': 'simulator-started',
      simulator: {
        delay_ms: config.delayMs,
        success_rate: config.successRate,
        decline_rate: config.declineRate,
        seed: config.seed,
        chaos: config.chaos,
        webhook_url: config.webhook.url,
      },
    },
    `payment simulator listening on ${config.host}:${port}`,
  );

  let stopped: Promise<void> | undefined;
  const stopOnce = async (reason: string): Promise<void> => {
    stopping.abort(new Error(`stopping: ${reason}`));
    await app.close();
    await Promise.allSettled([...running]);
    await dispatcher.destroy();
    log.info({ 'event.action': 'simulator-stopped', reason }, `payment simulator stopped (${reason})`);
  };
  return {
    port,
    stop(reason = 'stop requested') {
      stopped ??= stopOnce(reason);
      return stopped;
    },
  };
}
