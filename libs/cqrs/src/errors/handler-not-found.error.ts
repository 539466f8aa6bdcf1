import { CqrsError } from './cqrs.error';

/** A command or query was dispatched but no `@CommandHandler`/`@QueryHandler` handles its class. */
export class HandlerNotFoundError extends CqrsError {
  static readonly code = 'handler-not-found';

  constructor(
    /** The message's class name, for the reader (routing uses class identity, never this name). */
    readonly messageName: string,
    readonly kind: 'command' | 'query',
  ) {
    const decorator = kind === 'command' ? '@CommandHandler' : '@QueryHandler';
    super(
      HandlerNotFoundError.code,
      `No handler for ${kind} "${messageName}". Add a provider decorated with ` +
        `${decorator}(${messageName}) to a module of the application.`,
    );
  }
}
