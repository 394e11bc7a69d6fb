import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** A request as sent: the body as bytes, so invalid UTF-8 and foreign encodings stay intact. */
export interface Sent {
  readonly method: string;
  /** Sent as-is (no URL normalisation: `%2e%2e` reaches the server as written). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
  readonly json: any;
  /** For raw requests: how many HTTP answers came back on the connection. */
  readonly answers?: number;
}

const ANSWER_TIMEOUT_MS = 10_000;

/** Counts answers by property and status, and the orders the api said it created. */
export function createTally() {
  const byProperty = new Map<string, Map<number, number>>();
  let created = 0;
  return {
    record(property: string, sent: { method: string; path: string }, status: number): void {
      const statuses = byProperty.get(property) ?? new Map<number, number>();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      byProperty.set(property, statuses);
      if (status === 202 && sent.method === 'POST' && /^\/(api\/)?orders(\?|$)/.test(sent.path)) created++;
    },
    get created(): number {
      return created;
    },
    get total(): number {
      let sum = 0;
      for (const statuses of byProperty.values()) for (const count of statuses.values()) sum += count;
      return sum;
    },
    lines(): string[] {
      return [...byProperty].map(([property, statuses]) => {
        const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
        const sum = [...statuses.values()].reduce((a, b) => a + b, 0);
        return `${property}: ${sum} requests (${counts.join(', ')})`;
      });
    },
  };
}

export type Tally = ReturnType<typeof createTally>;

/**
 * HTTP to the api under test: `send` through Node's client (keep-alive), `sendRaw` as bytes
 * over a fresh socket for what Node's client refuses to send (CR/LF or NUL in header values,
 * folded or oversized headers). Both count every answer in the tally under `property`.
 */
export function createHttpClient(base: string, tally: Tally) {
  const { hostname, port } = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });

  function send(property: string, sent: Sent): Promise<Answer> {
    const body = sent.body === undefined ? undefined : Buffer.from(sent.body);
    const headers: Record<string, string> = { ...sent.headers };
    if (body !== undefined) headers['content-length'] = String(body.length);
    return new Promise<Answer>((resolve, reject) => {
      const call = request({ host: hostname, port, method: sent.method, path: sent.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const flat: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const answer = toAnswer(res.statusCode ?? 0, flat, Buffer.concat(chunks));
          tally.record(property, sent, answer.status);
          resolve(answer);
        });
      });
      call.setTimeout(ANSWER_TIMEOUT_MS, () => call.destroy(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`)));
      call.on('error', reject);
      call.end(body);
    });
  }

  /**
   * Sends `head` (request line and header lines, without the blank line) and `body` verbatim;
   * `head` should say `Connection: close`, as the answer is read until the server closes.
   */
  function sendRaw(property: string, head: Buffer, body: Buffer): Promise<Answer> {
    const requestLine = head.toString('latin1').split('\r\n', 1)[0] ?? '';
    const [method = '', path = ''] = requestLine.split(' ');
    return new Promise<Answer>((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      const timer = setTimeout(
        () => socket.destroy(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`)),
        ANSWER_TIMEOUT_MS,
      );
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error) => {
        clearTimeout(timer);
        // A server may answer and reset before reading everything; keep what it said.
        if (chunks.length > 0) finish();
        else reject(error);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        finish();
      });
      let finished = false;
      function finish() {
        if (finished) return;
        finished = true;
        const answer = parseRawAnswer(Buffer.concat(chunks));
        tally.record(property, { method, path }, answer.status);
        resolve(answer);
      }
      // Not end(): Node's server drops a request whose client half-closes before the answer.
      socket.write(Buffer.concat([head, Buffer.from('\r\n\r\n'), body]));
    });
  }

  return { send, sendRaw, close: () => agent.destroy() };
}

export type HttpClient = ReturnType<typeof createHttpClient>;

function toAnswer(status: number, headers: Record<string, string | undefined>, raw: Buffer): Answer {
  const text = raw.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

/** The first HTTP/1.1 answer in `raw`; status 0 when there is none. */
function parseRawAnswer(raw: Buffer): Answer {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return toAnswer(0, {}, raw);
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string | undefined> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? raw.length - end - 4);
  const answers = raw.toString('latin1').match(/(^|\r\n)HTTP\/1\.[01] \d{3} /g)?.length ?? 0;
  return { ...toAnswer(status, headers, raw.subarray(end + 4, end + 4 + length)), answers };
}
