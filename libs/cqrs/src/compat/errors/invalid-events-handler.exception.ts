import { CqrsError } from '../../errors/cqrs.error';

/** @nestjs/cqrs's error: an events handler has no handle() method or no event class. */
export class InvalidEventsHandlerException extends CqrsError {
  static readonly code = 'invalid-events-handler';

  constructor(detail?: string) {
    super(
      InvalidEventsHandlerException.code,
      `${detail ?? 'An events handler has no handle() method or no event class'}. Give the class @EventsHandler(MyEvent) and a handle(event) method.`,
    );
  }
}
