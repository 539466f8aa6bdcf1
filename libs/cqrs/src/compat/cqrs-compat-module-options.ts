import type { Provider, Type } from '@nestjs/common';
import type { CqrsModuleOptions as CelloCqrsModuleOptions } from '../cqrs-module-options';
import type {
  EventIdProvider,
  ICommandPublisher,
  IEventPublisher,
  IQueryPublisher,
  IUnhandledExceptionPublisher,
} from './interfaces/publisher.interfaces';

/** Options of the compat `CqrsModule.forRoot`: @nestjs/cqrs's, plus `cello` for Cello's buses. */
export interface CompatCqrsModuleOptions {
  /** Sees every executed command. Default: the command bus's own stream. */
  commandPublisher?: ICommandPublisher;
  /** Where `EventBus.publish` sends events. Default: the in-process stream. */
  eventPublisher?: IEventPublisher;
  /** Sees every executed query. Default: the query bus's own stream. */
  queryPublisher?: IQueryPublisher;
  /** Where unhandled exceptions go. Default: `UnhandledExceptionBus`'s stream. */
  unhandledExceptionPublisher?: IUnhandledExceptionPublisher;
  /** Gives each event class its id. Default: a UUID stamped by `@EventsHandler`. */
  eventIdProvider?: EventIdProvider;
  /** Rethrow event handler and saga errors instead of reporting them. Default false. */
  rethrowUnhandled?: boolean;
  /**
   * Cello's command/query bus options (timeouts, middleware, validation,
   * per-message settings). Default: no time limits and no validation, as @nestjs/cqrs.
   */
  cello?: CelloCqrsModuleOptions;
}

/** Builds the options (`useClass`/`useExisting` of `forRootAsync`). */
export interface CqrsModuleOptionsFactory {
  createCqrsOptions(): Promise<CompatCqrsModuleOptions> | CompatCqrsModuleOptions;
}

/** Options of the compat `CqrsModule.forRootAsync`. */
export interface CompatCqrsModuleAsyncOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  imports?: any[];
  useExisting?: Type<CqrsModuleOptionsFactory>;
  useClass?: Type<CqrsModuleOptionsFactory>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory?: (...args: any[]) => Promise<CompatCqrsModuleOptions> | CompatCqrsModuleOptions;
  useValue?: CompatCqrsModuleOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inject?: any[];
  extraProviders?: Provider[];
}
