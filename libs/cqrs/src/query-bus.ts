import { POSITION_WAITER, type PositionWaiter } from '@cello/core/internal';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { MessageBus } from './bus/message-bus';
import type { QueryDispatchOptions } from './bus/dispatch-options';
import { CQRS_MODULE_OPTIONS } from './cqrs.module-definition';
import { DEFAULT_QUERY_TIMEOUT_SECONDS } from './cqrs.constants';
import type { CqrsModuleOptions } from './cqrs-module-options';
import { EventSyncUnavailableError } from './errors/event-sync-unavailable.error';
import type { Query } from './message/query';

/**
 * Sends each query to its one `@QueryHandler`, through validation,
 * middleware and the time limit; can first wait for the read model to catch
 * up with a write (`waitForPosition`). Inject it, or `app.get(QueryBus)`.
 */
@Injectable()
export class QueryBus extends MessageBus {
  protected readonly kind = 'query' as const;

  constructor(
    @Inject(CQRS_MODULE_OPTIONS) private readonly options: CqrsModuleOptions,
    /** Provided by EventSourcingModule (or the app): the read models' progress. */
    @Optional() @Inject(POSITION_WAITER) private readonly positions?: PositionWaiter,
  ) {
    super();
  }

  /**
   * Runs `query`'s handler and resolves with its result, typed by the query's
   * `Query<TResult>`. Rejects with `HandlerNotFoundError`, `ValidationError`,
   * `QueryTimeoutError`, `EventSyncUnavailableError`, or what the handler threw.
   */
  dispatch<TResult>(query: Query<TResult>, options?: QueryDispatchOptions): Promise<TResult> {
    if (options?.waitForPosition !== undefined) {
      return this.dispatchAfter(query, options) as Promise<TResult>;
    }
    return this.send(query, options?.request, options?.signal) as Promise<TResult>;
  }

  /** True when queries can wait for a read-model position (event sync on, event sourcing present). */
  get canWaitForPositions(): boolean {
    return this.options.enableEventSync === true && this.positions !== undefined;
  }

  private async dispatchAfter(query: object, options: QueryDispatchOptions): Promise<unknown> {
    const name = query.constructor?.name ?? 'query';
    if (this.options.enableEventSync !== true) {
      throw new EventSyncUnavailableError(
        name,
        'event sync is off: set `enableEventSync: true` in CqrsModule.forRoot().',
      );
    }
    if (this.positions === undefined) {
      throw new EventSyncUnavailableError(
        name,
        'nothing waits for positions: import EventSourcingModule in the application.',
      );
    }
    const timeoutMs =
      options.waitTimeoutMs ?? (this.options.queryTimeout ?? DEFAULT_QUERY_TIMEOUT_SECONDS) * 1000;
    await this.positions.waitForPosition(options.waitForPosition!, {
      subscribers: options.subscribers,
      timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
      signal: options.signal,
    });
    return this.send(query, options.request, options.signal);
  }
}
