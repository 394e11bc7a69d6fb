import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { unstorableText } from '@orderflow/core';

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
  addFormats.default(ajv, ['email', 'date-time', 'uri']);
  return ajv;
}

/**
 * Bodies, params and headers are validated as sent: no type coercion, no unknown fields
 * (SPEC §3). Query strings are text by nature, so only they are coerced (`limit=10`).
 */
export function useStrictValidation(app: FastifyInstance): void {
  const strict = makeAjv(false);
  const query = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate = (httpPart === 'querystring' ? query : strict).compile(schema as FastifySchema & object);
    return (data: unknown) => (validate(data) ? { value: data } : { error: toValidationError(validate.errors ?? []) });
  });
}

/** Compiles a schema for data validated outside a route's own schema (e.g. a signed raw body). */
export function compileStrict<T>(
  schema: object,
): (data: unknown) => { ok: true; value: T } | { ok: false; problems: FieldProblem[] } {
  const validate = makeAjv(false).compile(schema);
  return (data) =>
    validate(data) ? { ok: true, value: data as T } : { ok: false, problems: problemsOf(validate.errors ?? []) };
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Carries field problems from the validator to the error handler. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'RequestValidationError';
  }
}

function toValidationError(errors: ErrorObject[]): RequestValidationError {
  return new RequestValidationError(problemsOf(errors));
}

/** Ajv errors as `{field, message}`, one per field, unions collapsed to their clearest message. */
export function problemsOf(errors: ErrorObject[]): FieldProblem[] {
  const byField = new Map<string, string>();
  for (const error of errors) {
    let field = pathOf(error.instancePath);
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      field = join(field, String((error.params as { additionalProperty?: unknown }).additionalProperty));
      message = 'unknown field';
    } else if (error.keyword === 'required') {
      field = join(field, String((error.params as { missingProperty?: unknown }).missingProperty));
      message = 'is required';
    } else if (error.keyword === 'anyOf') {
      message = 'does not match any accepted form';
    }
    if (!byField.has(field) || error.keyword === 'additionalProperties') byField.set(field, message);
  }
  return [...byField].map(([field, message]) => ({ field: field || '(body)', message }));
}

function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Deeper than this, a body is refused: no order has a reason to nest further. */
export const MAX_DEPTH = 32;

/**
 * Keys that could act as query operators or paths (`$where`, `a.b`) anywhere in a body,
 * query or path, text the store cannot hold exactly (NUL, lone surrogates), and nesting deeper than MAX_DEPTH: refused before
 * schema validation, so no request value can ever become an operator. Walks with an
 * explicit stack, so a hostile depth cannot overflow the call stack.
 */
export function hostileKeys(value: unknown): FieldProblem[] {
  if (Buffer.isBuffer(value)) return [];
  const problems: FieldProblem[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = unstorableText(current);
      if (problem) problems.push({ field: path || '(body)', message: problem });
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      problems.push({ field: path || '(body)', message: `nested deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, child] of Object.entries(current as Record<string, unknown>)) {
      const field = path ? `${path}.${key}` : key;
      const keyProblem = unstorableText(key);
      if (key.startsWith('$') || key.includes('.')) {
        problems.push({ field, message: 'keys may not start with "$" or contain "."' });
      } else if (keyProblem) {
        problems.push({ field, message: keyProblem });
      } else {
        stack.push({ value: child, path: field, depth: depth + 1 });
      }
    }
  }
  return problems;
}
