import { createHmac } from 'node:crypto';
import type { Test } from 'tap';
import { startApi } from '../src/api.js';
import { loadApiConfig } from '../src/config.js';
import { uniqueName, type TestServers } from '@orderflow/testkit';

export const SECRET = 'test-webhook-secret';
const REQUEST_TIMEOUT_MS = 30_000;

/** Starts the api in-process against real servers, on a free port. */
export async function startTestApi(t: Test, servers: TestServers, env: Record<string, string> = {}) {
  const config = loadApiConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    NATS_URL: servers.natsUrl,
    MONGO_URL: servers.mongoUrl,
    MONGO_DB: servers.dbName,
    NATS_NAMESPACE: uniqueName(servers.namespace),
    PAYMENT_WEBHOOK_SECRET: SECRET,
    ...env,
  });
  const runtime = await startApi(config);
  t.teardown(() => runtime.stop());
  const base = `http://127.0.0.1:${runtime.port}`;
  return {
    runtime,
    base,
    async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      // A request the api never answers fails here, naming itself, not as the file's timeout.
      const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const response = await fetch(base + path, init).catch((error: unknown) => {
        throw new Error(`${method} ${path} was not answered`, { cause: error });
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json: json as Record<string, any>, text };
    },
  };
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
