import { EventSourcingError } from './event-sourcing.error';

/** A read option (`fromVersion`, `fromPosition`, `limit`, `pageSize`) is not a whole number in range; nothing was read. */
export class InvalidReadOptionsError extends EventSourcingError {
  static readonly code = 'invalid-read-options';

  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly minimum: number,
  ) {
    super(
      InvalidReadOptionsError.code,
      `Read option ${option} is ${describe(value)}; it must be a whole number >= ${minimum}. ` +
        'Pass a non-negative integer, or leave the option out for its default.',
    );
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
