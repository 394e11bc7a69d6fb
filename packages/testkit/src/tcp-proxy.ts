import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * How the proxy treats traffic: `pass` forwards it (after `latencyMs` each way),
 * `blackhole` accepts connections and data but forwards nothing and answers nothing,
 * `reset` resets every connection, open or new.
 */
export type ProxyMode = 'pass' | 'blackhole' | 'reset';

export interface ProxyBehaviour {
  readonly mode: ProxyMode;
  /** Delay added to every chunk, in each direction (order is kept). */
  readonly latencyMs: number;
  /**
   * Once a client has sent these bytes on a connection, the target's answers on that
   * connection are withheld from then on, while every other connection passes: a server
   * that never answers one command and keeps answering the rest.
   */
  readonly stallAfter: string | undefined;
}

export interface TcpProxy {
  /** `127.0.0.1:<port>` to hand to a client instead of the target. */
  readonly host: string;
  readonly port: number;
  /** Changes the behaviour for new chunks and connections; `reset` also resets open ones. */
  set(change: Partial<ProxyBehaviour>): void;
  readonly stats: { readonly connections: number; readonly chunksUp: number; readonly chunksDown: number };
  close(): Promise<void>;
}

/**
 * A small TCP proxy for fault tests (in place of a Toxiproxy server): latency, blackhole
 * and reset between a client and one target.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let behaviour: ProxyBehaviour = { mode: 'pass', latencyMs: 0, stallAfter: undefined };
  const open = new Set<Socket>();
  const stats = { connections: 0, chunksUp: 0, chunksDown: 0 };

  const forward = (from: Socket, to: Socket, count: (chunk: Buffer) => boolean) => {
    from.on('data', (chunk: Buffer) => {
      if (behaviour.mode !== 'pass' || !count(chunk)) return;
      if (behaviour.latencyMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), behaviour.latencyMs);
    });
    // The end of the stream waits behind its last chunk, so latency stays a pure delay.
    from.on('end', () => {
      if (behaviour.latencyMs === 0) to.end();
      else setTimeout(() => to.end(), behaviour.latencyMs);
    });
  };

  const server = createServer((client) => {
    stats.connections++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (behaviour.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    open.add(upstream);
    // One side gone: the other follows once what is still delayed has been written.
    const later = (action: () => void) =>
      behaviour.latencyMs === 0 ? action() : setTimeout(action, behaviour.latencyMs);
    upstream.on('close', () => {
      open.delete(upstream);
      later(() => client.destroy());
    });
    upstream.on('error', () => undefined);
    client.on('close', () => later(() => upstream.destroy()));
    // What the client sent lately, so a marker split across two chunks is still seen.
    let sent = '';
    let stalled = false;
    forward(client, upstream, (chunk) => {
      stats.chunksUp++;
      const marker = behaviour.stallAfter;
      if (marker !== undefined && !stalled) {
        sent = sent.slice(-marker.length) + chunk.toString('latin1');
        stalled = sent.includes(marker);
      }
      return true;
    });
    forward(upstream, client, () => {
      if (stalled) return false;
      stats.chunksDown++;
      return true;
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');

  return {
    host: '127.0.0.1',
    port: address.port,
    stats,
    set(change) {
      behaviour = { ...behaviour, ...change };
      if (behaviour.mode === 'reset') for (const socket of open) socket.resetAndDestroy();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
