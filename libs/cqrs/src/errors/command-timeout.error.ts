import { CqrsError } from './cqrs.error';

/** A command handler (with its middleware) ran past its time limit; its `AbortSignal` was aborted. */
export class CommandTimeoutError extends CqrsError {
  static readonly code = 'command-timeout';

  constructor(
    readonly messageName: string,
    /** The limit that was exceeded, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(
      CommandTimeoutError.code,
      `Command "${messageName}" did not finish within ${timeoutMs} ms. Raise its limit with ` +
        '`timeout` in @CommandHandler options or `commandTimeout` in CqrsModule options, ' +
        'or make the handler stop on `context.signal`.',
    );
  }
}
