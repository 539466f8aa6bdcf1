import { CqrsError } from './cqrs.error';

/**
 * A CQRS decorator was used in a way Cello would not honour (an unknown
 * option, a class decorator on a method, ...). Thrown when the class is
 * declared, so the app never starts with the decorator silently ignored.
 */
export class InvalidCqrsDecoratorError extends CqrsError {
  static readonly code = 'invalid-cqrs-decorator';

  constructor(
    readonly decorator: string,
    readonly target: string,
    problem: string,
    fix: string,
  ) {
    super(InvalidCqrsDecoratorError.code, `${decorator} on ${target}: ${problem} ${fix}`);
  }
}
