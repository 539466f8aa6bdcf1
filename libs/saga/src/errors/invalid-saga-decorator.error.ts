import { SagaError } from './saga.error';

/**
 * `@Saga` or `@SagaStep` was used in a way Cello would not honour (on a
 * property, with an unknown option, ...). Thrown when the class is declared,
 * so the app never starts with the decorator silently ignored.
 */
export class InvalidSagaDecoratorError extends SagaError {
  static readonly code = 'saga-invalid-decorator';

  constructor(
    readonly decorator: string,
    readonly target: string,
    problem: string,
    fix: string,
  ) {
    super(InvalidSagaDecoratorError.code, `${decorator} on ${target}: ${problem} ${fix}`);
  }
}
