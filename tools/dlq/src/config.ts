import { parseEnv, platformVariables, type BusSettings, type NatsSettings } from '@orderflow/platform';

/** SPEC §4: the streams keep de-duplication ids for 2 minutes. */
const DUPLICATE_WINDOW_MS = 120_000;

/**
 * The platform variables this tool reads. It neither creates streams nor consumes, so
 * only the connection and the namespace matter; the retry and stream settings are read
 * too so the topology is built from the same values the services use.
 */
const dlqVariables = {
  NATS_URL: platformVariables.NATS_URL,
  NATS_USER: platformVariables.NATS_USER,
  NATS_PASSWORD: platformVariables.NATS_PASSWORD,
  NATS_TOKEN: platformVariables.NATS_TOKEN,
  NATS_NAMESPACE: platformVariables.NATS_NAMESPACE,
  NATS_REPLICAS: platformVariables.NATS_REPLICAS,
  STREAM_MAX_AGE_MS: platformVariables.STREAM_MAX_AGE_MS,
  RETRY_MAX_DELIVER: platformVariables.RETRY_MAX_DELIVER,
  RETRY_BACKOFF_MS: platformVariables.RETRY_BACKOFF_MS,
  ACK_WAIT_MS: platformVariables.ACK_WAIT_MS,
};

/** Where the DLQ lives and how to reach it. */
export interface DlqConfig {
  readonly nats: NatsSettings;
  readonly bus: BusSettings;
}

/** Reads the configuration from `source` (normally process.env); throws a ConfigError naming bad variables. */
export function loadDlqConfig(source: Readonly<Record<string, string | undefined>>): DlqConfig {
  const vars = parseEnv(dlqVariables, source);
  return {
    nats: { url: vars.NATS_URL, user: vars.NATS_USER, password: vars.NATS_PASSWORD, token: vars.NATS_TOKEN },
    bus: {
      kind: 'jetstream',
      namespace: vars.NATS_NAMESPACE,
      replicas: vars.NATS_REPLICAS,
      maxAgeMs: vars.STREAM_MAX_AGE_MS,
      duplicateWindowMs: DUPLICATE_WINDOW_MS,
      maxDeliver: vars.RETRY_MAX_DELIVER,
      backoffMs: vars.RETRY_BACKOFF_MS,
      ackWaitMs: vars.ACK_WAIT_MS,
    },
  };
}
