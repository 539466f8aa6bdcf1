import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { QueryBus as CelloQueryBus } from '../query-bus';
import type { AsyncContext } from './async-context';
import type { Query } from './query';
import { COMPAT_QUERY_METADATA, COMPAT_CQRS_MODULE_OPTIONS } from './compat.constants';
import { CompatMessageBus } from './compat-message-bus';
import type { CompatCqrsModuleOptions } from './cqrs-compat-module-options';
import { QueryHandlerNotFoundException } from './errors/query-handler-not-found.exception';
import { InvalidQueryHandlerException } from './errors/invalid-query-handler.exception';
import type { IQuery } from './interfaces/message.interfaces';
import type { IQueryPublisher } from './interfaces/publisher.interfaces';

/**
 * @nestjs/cqrs's `QueryBus`, dispatching through Cello's: per-handler
 * timeouts, middleware, validation and metrics apply. It is also the stream
 * of executed queries.
 */
@Injectable()
export class QueryBus<QueryBase extends IQuery = IQuery> extends CompatMessageBus<QueryBase> {
  protected readonly idKey = COMPAT_QUERY_METADATA;
  /** Sees every executed query; by default this bus's own stream. */
  publisher: IQueryPublisher<QueryBase>;

  constructor(
    cello: CelloQueryBus,
    moduleRef: ModuleRef,
    @Optional() @Inject(COMPAT_CQRS_MODULE_OPTIONS) options?: CompatCqrsModuleOptions,
  ) {
    super(cello, moduleRef);
    this.publisher = (options?.queryPublisher as IQueryPublisher<QueryBase> | undefined) ?? {
      publish: (query) => this.subject$.next(query),
    };
  }

  /** Executes a `Query<R>`; resolves with its handler's `R`. */
  execute<R = void>(query: Query<R>, context?: AsyncContext): Promise<R>;
  /** Executes any query object; the result type is the second type argument. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  execute<T extends QueryBase, R = any>(query: T, context?: AsyncContext): Promise<R>;
  execute(query: IQuery, context?: AsyncContext): Promise<unknown> {
    return this.run(query as QueryBase, context);
  }

  protected publishToObservers(query: QueryBase): void {
    this.publisher.publish(query);
  }

  protected notFound(name: string): Error {
    return new QueryHandlerNotFoundException(name);
  }

  protected invalidHandler(name: string): Error {
    return new InvalidQueryHandlerException(`"${name}" has no execute(query) method`);
  }
}
