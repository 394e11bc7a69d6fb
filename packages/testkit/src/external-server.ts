import type { ServerHandle } from './types.js';

/**
 * A server someone else runs (NATS_URL / MONGO_URL). Lifecycle calls do nothing, so
 * fault-injection tests should check `external` and skip.
 */
export class ExternalServer implements ServerHandle {
  readonly url: string;
  readonly pid = undefined;
  readonly external = true;
  readonly dataDir = undefined;

  constructor(url: string) {
    this.url = url;
  }

  kill(): void {}

  async restart(): Promise<void> {}

  async stop(): Promise<void> {}
}
