import { get } from 'node:http';

export interface FreshAnswer {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

/**
 * GET over a connection of its own, closed after the answer. A node:cluster hands out
 * connections round-robin, so only fresh connections spread requests over its workers;
 * a kept-alive one always reaches the same worker.
 */
export function getFresh(url: string, timeoutMs = 10_000): Promise<FreshAnswer> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, text, json });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}
