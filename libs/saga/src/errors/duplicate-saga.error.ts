import { SagaError } from './saga.error';

/** Two saga classes claim the same name; recovery finds sagas by name. */
export class DuplicateSagaError extends SagaError {
  static readonly code = 'saga-duplicate-name';

  constructor(readonly sagaName: string) {
    super(
      DuplicateSagaError.code,
      `Two saga classes are named "${sagaName}". Pass a distinct name to @Saga('...').`,
    );
  }
}
