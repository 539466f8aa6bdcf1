import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/** Deepest JSON nesting a request may have: the DTOs need 3 levels; recursion needs a bound. */
export const MAX_REQUEST_DEPTH = 32;

/**
 * The demo's request validation: DTO classes with class-validator rules,
 * unknown fields stripped, values converted to the DTO's types; any problem
 * answers 400 with the list of problems.
 */
export function createValidationPipe(): ValidationPipe {
  return new DemoValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
}

/**
 * Nest's ValidationPipe, after a check of what its recursive transformer and
 * validator, or the databases, cannot survive: nesting deep enough to overflow
 * the stack, fractions in exponent notation (`1e-7`, on which class-validator's
 * `maxDecimalPlaces` check throws a TypeError), NUL characters (which
 * PostgreSQL text refuses) and lone UTF-16 surrogates (`"\ud800x"`, which
 * PostgreSQL jsonb refuses and no UTF-8 column can hold), in values and keys of
 * bodies, queries and path parameters. As a global pipe it runs on every route.
 */
class DemoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const problem = problemOf(value, metadata.data ?? '', 0);
    if (problem) throw new BadRequestException([problem]);
    return super.transform(value, metadata);
  }
}

function problemOf(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) || !String(value).includes('e')
      ? undefined
      : `${path || 'value'} must be a plain decimal number, not ${String(value)}`;
  }
  if (typeof value === 'string') return stringProblemOf(value, path || 'value');
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_REQUEST_DEPTH) {
    return `request nests deeper than ${MAX_REQUEST_DEPTH} levels${path ? ` at ${path}` : ''}`;
  }
  for (const [key, child] of Object.entries(value)) {
    // A key is stored too (unknown ones are stripped later, but only after this check).
    const keyProblem = stringProblemOf(key, `a key in ${path || 'the request'}`);
    if (keyProblem) return keyProblem;
    const problem = problemOf(child, path ? `${path}.${key}` : key, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Unpaired UTF-16 surrogates: valid in a JS string, not in UTF-8 text or jsonb. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblemOf(value: string, name: string): string | undefined {
  if (value.includes('\u0000')) return `${name} must not contain NUL characters`;
  if (LONE_SURROGATE.test(value)) {
    return `${name} must not contain lone UTF-16 surrogates (\\ud800-\\udfff without their pair)`;
  }
  return undefined;
}
