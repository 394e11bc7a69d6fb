import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

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

/**
 * Keys that could act as query operators or paths (`$where`, `a.b`) anywhere in a body:
 * refused before schema validation, so no request value can ever become an operator.
 */
export function hostileKeys(value: unknown, path = ''): FieldProblem[] {
  if (Buffer.isBuffer(value)) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => hostileKeys(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const problems: FieldProblem[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const field = path ? `${path}.${key}` : key;
    if (key.startsWith('$') || key.includes('.')) {
      problems.push({ field, message: 'keys may not start with "$" or contain "."' });
    } else {
      problems.push(...hostileKeys(child, field));
    }
  }
  return problems;
}
