import { connect, type NatsConnection } from '@nats-io/transport-node';
import { errorMessage, type NatsSettings } from '@orderflow/platform';

/** How long a command waits for the server before giving up. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects once, failing fast with a message that names the server. The platform's
 * `connectNats` waits for a server forever, right for a service under an orchestrator but
 * not for a command someone is waiting on.
 */
export async function connectOnce(settings: NatsSettings): Promise<NatsConnection> {
  try {
    return await connect({
      servers: settings.url.split(',').map((server) => server.trim()),
      name: 'orderflow-dlq',
      user: settings.user,
      pass: settings.password,
      token: settings.token,
      timeout: CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: 0,
    });
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${displayServers(settings.url)}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** The server URLs without any user or password written into them, for messages. */
export function displayServers(url: string): string {
  return url
    .split(',')
    .map((server) => {
      const parsed = new URL(server.trim());
      return `${parsed.protocol}//${parsed.host}`;
    })
    .join(',');
}
