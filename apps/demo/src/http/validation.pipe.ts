import { ValidationPipe } from '@nestjs/common';

/**
 * The demo's request validation: DTO classes with class-validator rules,
 * unknown fields stripped, values converted to the DTO's types; any problem
 * answers 400 with the list of problems.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
}
