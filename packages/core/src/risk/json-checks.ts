import { RiskModelError } from './model-error.js';

const SHOWN_VALUE_MAX_CHARS = 40;

/** A short rendering of a document value for error messages. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > SHOWN_VALUE_MAX_CHARS ? `${text.slice(0, SHOWN_VALUE_MAX_CHARS)}…` : text;
}

/** `value` as a plain JSON object, or a RiskModelError at `path`. */
export function expectObject(value: unknown, path: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RiskModelError(path, `expected an object, found ${shown(value)}`);
  }
  return value as Readonly<Record<string, unknown>>;
}

/** `value` as an array, or a RiskModelError at `path`. */
export function expectArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new RiskModelError(path, `expected an array, found ${shown(value)}`);
  return value;
}

/** `value` as a finite number, or a RiskModelError at `path`. */
export function expectFiniteNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RiskModelError(path, `expected a finite number, found ${shown(value)}`);
  }
  return value;
}

/** `value` as an integer in [0, count), or a RiskModelError naming `what` at `path`. */
export function expectIndex(value: unknown, count: number, path: string, what: string, outOf: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new RiskModelError(path, `${what} must be a whole number, found ${shown(value)}`);
  }
  if (value < 0 || value >= count) throw new RiskModelError(path, `${what} ${value} out of range (${outOf})`);
  return value;
}
