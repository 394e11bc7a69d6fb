import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPolicy, type ConsumerNotification, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { closeWhenLost, lostReason } from './consumer-health.js';
import { fromNatsHeaders } from './headers.js';
import { payloadReaders } from './message.js';
import type { Topology } from './topology.js';
import type { Watch, WatchListener } from './types.js';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
/** Pulls last this long, with a heartbeat every half: a silent server shows within seconds. */
const PULL_EXPIRES_MS = 10_000;

/**
 * A watch over JetStream: one ordered consumer (ephemeral, server-side, deliver-new) on
 * the stream that captures `pattern`, so the flow has no gap while it lives. When it
 * fails (NATS gone at start, a reconnect, the stream re-created), it is made again from
 * "now" after a pause, and the listener is told to re-read the store (`reset`).
 */
export function watchJetStream(
  js: JetStreamClient,
  topology: Topology,
  pattern: string,
  listener: WatchListener,
  log?: Logger,
): Watch {
  const stopping = new AbortController();
  const stream = topology.streamName(topology.streamFor(pattern).name);

  async function run(): Promise<void> {
    let pauseMs = RETRY_MIN_MS;
    while (!stopping.signal.aborted) {
      try {
        const consumer = await js.consumers.get(stream, {
          filter_subjects: topology.subject(pattern),
          deliver_policy: DeliverPolicy.New,
        });
        const messages = await consumer.consume({ expires: PULL_EXPIRES_MS });
        const stop = () => void messages.close();
        stopping.signal.addEventListener('abort', stop, { once: true });
        // The library re-creates an ordered consumer itself (after a reconnect, missed
        // heartbeats, a deleted consumer) from the last sequence it saw, which a re-created
        // stream may not reach for long: its messages until then would be skipped unseen.
        // So whenever the library resets the consumer, it is started afresh from now
        // instead, and the listener re-reads the store.
        closeWhenLost(
          messages,
          (reason) => log?.warn({ 'event.action': 'watch-restart' }, `watching ${pattern}: ${reason}; starting again`),
          watchLostReason,
        );
        pauseMs = RETRY_MIN_MS;
        safely(() => listener.reset());
        try {
          for await (const message of messages) {
            const data = message.data;
            safely(() =>
              listener.message({
                subject: topology.logicalSubject(message.subject),
                data,
                headers: fromNatsHeaders(message.headers),
                ...payloadReaders(data),
              }),
            );
          }
        } finally {
          stopping.signal.removeEventListener('abort', stop);
        }
      } catch (error) {
        if (stopping.signal.aborted) return;
        log?.warn({ err: error, 'event.action': 'watch-restart' }, `watching ${pattern} failed; starting again`);
      }
      if (stopping.signal.aborted) return;
      await sleep(pauseMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      pauseMs = Math.min(RETRY_MAX_MS, pauseMs * 2);
    }
  }

  function watchLostReason(status: ConsumerNotification): string | undefined {
    if (status.type === 'stream_not_found' || status.type === 'consumer_deleted')
      return status.type.replaceAll('_', ' ');
    if (status.type === 'reset') return 'the client reset its consumer';
    return lostReason(status);
  }

  function safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      log?.warn({ err: error, 'event.action': 'watch-listener-failed' }, `a watcher of ${pattern} failed`);
    }
  }

  const running = run();
  return {
    async close() {
      stopping.abort();
      await running;
    },
  };
}
