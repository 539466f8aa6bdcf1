import { EventSourcingError } from './event-sourcing.error';

/**
 * An event-sourcing decorator was used in a way Cello would not honour (an
 * unknown option, a method decorator on a property, ...). Thrown when the class
 * is declared, so the app never starts with the decorator silently ignored.
 */
export class InvalidEventSourcingDecoratorError extends EventSourcingError {
  static readonly code = 'invalid-event-sourcing-decorator';

  constructor(
    readonly decorator: string,
    readonly target: string,
    problem: string,
    fix: string,
  ) {
    super(InvalidEventSourcingDecoratorError.code, `${decorator} on ${target}: ${problem} ${fix}`);
  }
}
