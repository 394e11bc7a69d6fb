import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export type { NatsConnection } from '@nats-io/transport-node';

export interface NatsSettings {
  readonly url: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly token: string | undefined;
}

export interface NatsOptions {
  readonly name: string;
  readonly log: Logger;
  /**
   * Called when the connection closes for good other than through our own `close()` /
   * `drain()`. The process cannot do its work any more: main.ts exits non-zero so the
   * orchestrator restarts it.
   */
  readonly onFatal: (error: Error) => void;
}

/** The process's NATS connection and what the rest of the platform asks of it. */
export interface NatsHandle {
  readonly nc: NatsConnection;
  /** Server version, logged at startup (SPEC §4 uses only NATS 2.9 features). */
  readonly serverVersion: string;
  /** False while disconnected and reconnecting. */
  isConnected(): boolean;
  /** Drains subscriptions and closes; the close is then not treated as fatal. */
  drain(): Promise<void>;
}

/**
 * Connects with reconnects forever (waiting for a server that is not up yet), logs the
 * server version, and reports every disconnect and reconnect.
 */
export async function connectNats(settings: NatsSettings, options: NatsOptions): Promise<NatsHandle> {
  const { log } = options;
  const nc = await connect({
    servers: settings.url.split(',').map((s) => s.trim()),
    name: options.name,
    user: settings.user,
    pass: settings.password,
    token: settings.token,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    waitOnFirstConnect: true,
  });
  const serverVersion = nc.info?.version ?? 'unknown';
  log.info(
    { 'event.action': 'nats-connected', nats: { server: nc.getServer(), version: serverVersion } },
    `connected to NATS ${serverVersion} at ${nc.getServer()}`,
  );
  let connected = true;
  let closing = false;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        log.warn({ 'event.action': 'nats-disconnected' }, 'NATS disconnected; reconnecting');
      } else if (status.type === 'reconnect') {
        connected = true;
        log.info({ 'event.action': 'nats-reconnected', nats: { server: nc.getServer() } }, 'NATS reconnected');
      } else if (status.type === 'error') {
        log.error({ err: status.error, 'event.action': 'nats-error' }, 'NATS connection error');
      }
    }
  })();
  void nc.closed().then((error) => {
    connected = false;
    if (closing) return;
    const reason = error instanceof Error ? error : new Error('NATS connection closed');
    log.fatal({ err: reason, 'event.action': 'nats-closed' }, 'NATS connection closed for good');
    options.onFatal(reason);
  });
  return {
    nc,
    serverVersion,
    isConnected: () => connected && !nc.isClosed(),
    async drain() {
      if (nc.isClosed()) return;
      closing = true;
      await nc.drain();
    },
  };
}
