import { CqrsError } from '../../errors/cqrs.error';

/** @nestjs/cqrs's error: a @Saga() property is not a function returning an Observable. */
export class InvalidSagaException extends CqrsError {
  static readonly code = 'invalid-saga';

  constructor(detail?: string) {
    super(
      InvalidSagaException.code,
      `${detail ?? 'A @Saga() property is not a function returning an Observable'}. Make it (events$: Observable<IEvent>) => Observable<ICommand>.`,
    );
  }
}
