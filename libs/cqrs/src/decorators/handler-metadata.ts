import type { MessageRouteOptions } from '../cqrs-module-options';
import type { MessageClass } from '../message/message-class';

/** What `@CommandHandler`/`@QueryHandler` record on a handler class. */
export interface HandlerMetadata {
  readonly message: MessageClass;
  readonly options: MessageRouteOptions;
  /**
   * @internal True for @nestjs/cqrs-shaped handlers (`@cello/cqrs/compat`):
   * `execute(message)` is called without Cello's `DispatchContext`.
   */
  readonly messageOnly?: boolean;
}
