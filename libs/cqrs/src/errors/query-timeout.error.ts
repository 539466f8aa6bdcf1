import { CqrsError } from './cqrs.error';

/** A query handler (with its middleware) ran past its time limit; its `AbortSignal` was aborted. */
export class QueryTimeoutError extends CqrsError {
  static readonly code = 'query-timeout';

  constructor(
    readonly messageName: string,
    /** The limit that was exceeded, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(
      QueryTimeoutError.code,
      `Query "${messageName}" did not finish within ${timeoutMs} ms. Raise its limit with ` +
        '`timeout` in @QueryHandler options or `queryTimeout` in CqrsModule options, ' +
        'or make the handler stop on `context.signal`.',
    );
  }
}
