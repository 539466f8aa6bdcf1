/** A `given/when/then` expectation about an aggregate did not hold; the message carries a diff. */
export class AggregateAssertionError extends Error {
  readonly code = 'ERR_ASSERTION';

  constructor(
    message: string,
    readonly expected?: unknown,
    readonly actual?: unknown,
  ) {
    super(message);
    this.name = 'AggregateAssertionError';
  }
}
