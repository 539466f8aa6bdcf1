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
 * validator, or PostgreSQL, cannot survive: nesting deep enough to overflow the
 * stack, fractions in exponent notation (`1e-7`, on which class-validator's
 * `maxDecimalPlaces` check throws a TypeError), and NUL characters (which
 * PostgreSQL text refuses) in bodies, queries and path parameters.
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
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? `${path || 'value'} must not contain NUL characters`
      : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_REQUEST_DEPTH) {
    return `request nests deeper than ${MAX_REQUEST_DEPTH} levels${path ? ` at ${path}` : ''}`;
  }
  for (const [key, child] of Object.entries(value)) {
    const problem = problemOf(child, path ? `${path}.${key}` : key, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
