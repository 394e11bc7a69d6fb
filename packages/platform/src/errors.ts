/**
 * The few error types the platform raises. Each has a stable `code`; only the edges
 * (HTTP handlers, consumers, main.ts) turn them into statuses, acks or exit codes.
 */
export class OrderflowError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The environment holds a value that cannot be used; the process must not start. */
export class ConfigError extends OrderflowError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super('ERR_CONFIG', `Invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.issues = issues;
  }
}

/**
 * A message that can never be handled, however often it is delivered (undecodable,
 * schema-invalid). Consumers dead-letter it at once instead of retrying.
 */
export class PermanentError extends OrderflowError {
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(options?.code ?? 'ERR_PERMANENT', message, options);
  }
}

/** A dependency (MongoDB, NATS, a provider) is unavailable; retrying later may succeed. */
export class UnavailableError extends OrderflowError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_UNAVAILABLE', message, options);
  }
}

/** True when retrying cannot help. */
export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError;
}

/** Best-effort text of anything thrown, for logs and dead-letter records. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
