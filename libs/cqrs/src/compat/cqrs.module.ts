import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { RouteFactory } from '../bus/route-factory';
import { CommandBus as CelloCommandBus } from '../command-bus';
import { CQRS_MODULE_OPTIONS } from '../cqrs.module-definition';
import { CqrsCoreModule as CelloCqrsCoreModule } from '../cqrs-core.module';
import type { CqrsModuleOptions as CelloCqrsModuleOptions } from '../cqrs-module-options';
import { type DiscoveredHandler, HandlerExplorer } from '../discovery/handler-explorer';
import { InvalidCqrsOptionError } from '../errors/invalid-cqrs-option.error';
import type { MessageClass } from '../message/message-class';
import { QueryBus as CelloQueryBus } from '../query-bus';
import { CommandBus } from './command-bus';
import {
  COMPAT_CQRS_MODULE_OPTIONS,
  COMPAT_EVENTS_HANDLER_METADATA,
  COMPAT_SAGA_METADATA,
} from './compat.constants';
import type {
  CompatCqrsModuleAsyncOptions,
  CompatCqrsModuleOptions,
  CqrsModuleOptionsFactory,
} from './cqrs-compat-module-options';
import { EventBus } from './event-bus';
import { EventPublisher } from './event-publisher';
import { QueryBus } from './query-bus';
import { UnhandledExceptionBus } from './unhandled-exception-bus';

/** Cello's bus options for a compat app: no time limit and no validation unless asked, as @nestjs/cqrs. */
function celloOptions(options: CompatCqrsModuleOptions | undefined): CelloCqrsModuleOptions {
  return { commandTimeout: 0, queryTimeout: 0, validate: false, ...options?.cello };
}

// Cello's core module builds the routes and stops the deadline clocks; its static
// forRoot (Cello's options) is replaced by @nestjs/cqrs's.
const CelloCqrsModuleBase = CelloCqrsCoreModule as unknown as new (
  ...args: ConstructorParameters<typeof CelloCqrsCoreModule>
) => CelloCqrsCoreModule;

/**
 * @nestjs/cqrs's `CqrsModule` on Cello's buses: import it bare, with
 * `forRoot(options)` or `forRootAsync(...)`. It provides both APIs (the
 * compat `CommandBus`/`QueryBus`/`EventBus`, and Cello's `CommandBus`/`QueryBus`
 * for Cello modules), so do not import Cello's own `CqrsModule` beside it;
 * give Cello's options as `forRoot({ cello: { ... } })`.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: CQRS_MODULE_OPTIONS,
      useFactory: celloOptions,
      inject: [{ token: COMPAT_CQRS_MODULE_OPTIONS, optional: true }],
    },
    HandlerExplorer,
    RouteFactory,
    CelloCommandBus,
    CelloQueryBus,
    CommandBus,
    QueryBus,
    EventBus,
    UnhandledExceptionBus,
    EventPublisher,
  ],
  exports: [
    CelloCommandBus,
    CelloQueryBus,
    CommandBus,
    QueryBus,
    EventBus,
    UnhandledExceptionBus,
    EventPublisher,
  ],
})
export class CqrsModule
  extends CelloCqrsModuleBase
  implements OnModuleInit, OnApplicationBootstrap
{
  constructor(
    private readonly handlers: HandlerExplorer,
    routes: RouteFactory,
    celloCommands: CelloCommandBus,
    celloQueries: CelloQueryBus,
    @Inject(CQRS_MODULE_OPTIONS) celloOptions: CelloCqrsModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly events: EventBus,
  ) {
    super(handlers, routes, celloCommands, celloQueries, celloOptions);
  }

  /** The module with @nestjs/cqrs's options (and Cello's under `cello`); global. */
  static forRoot(options: CompatCqrsModuleOptions = {}): DynamicModule {
    return {
      module: CqrsModule,
      global: true,
      providers: [{ provide: COMPAT_CQRS_MODULE_OPTIONS, useValue: options }],
      exports: [COMPAT_CQRS_MODULE_OPTIONS],
    };
  }

  /** The module with options from `useFactory`, `useClass`, `useExisting` or `useValue`; global. */
  static forRootAsync(options: CompatCqrsModuleAsyncOptions): DynamicModule {
    return {
      module: CqrsModule,
      global: true,
      imports: options.imports ?? [],
      providers: [...asyncOptionsProviders(options), ...(options.extraProviders ?? [])],
      exports: [COMPAT_CQRS_MODULE_OPTIONS],
    };
  }

  /** Builds Cello's routes, then tells the compat buses which handlers need a context per dispatch. */
  override async onModuleInit(): Promise<void> {
    // Cello's CqrsModule beside this one would make a second pair of buses, both routing every handler.
    const celloBuses = this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.token === CelloCommandBus);
    if (celloBuses.length > 1) {
      throw new InvalidCqrsOptionError(
        'imports',
        "both Cello's CqrsModule (@cello/cqrs) and the compat CqrsModule (@cello/cqrs/compat) are " +
          "imported. Import only the compat one; it provides Cello's CommandBus and QueryBus too, " +
          'and takes their options as CqrsModule.forRoot({ cello: { ... } }).',
      );
    }
    await super.onModuleInit();
    this.commands.useScoped(scopedMessages(this.handlers.commandHandlers()));
    this.queries.useScoped(scopedMessages(this.handlers.queryHandlers()));
  }

  /** Subscribes the `@EventsHandler`s and starts the `@Saga()`s, as @nestjs/cqrs does. */
  onApplicationBootstrap(): void {
    const providers = this.discovery.getProviders();
    const typeOf = (wrapper: InstanceWrapper): object | undefined =>
      ((wrapper.instance as object | undefined)?.constructor as object | undefined) ??
      (wrapper.metatype as object | undefined);
    const withMetadata = (key: string) =>
      providers.filter((wrapper) => {
        const type = typeOf(wrapper);
        return type !== undefined && type !== Object && Reflect.hasMetadata(key, type);
      });
    this.events.register(withMetadata(COMPAT_EVENTS_HANDLER_METADATA) as never);
    this.events.registerSagas(withMetadata(COMPAT_SAGA_METADATA));
  }
}

function scopedMessages(handlers: Map<MessageClass, DiscoveredHandler>): MessageClass[] {
  return [...handlers]
    .filter(([, handler]) => !handler.wrapper.isDependencyTreeStatic())
    .map(([message]) => message);
}

function asyncOptionsProviders(options: CompatCqrsModuleAsyncOptions): Provider[] {
  if (options.useValue)
    return [{ provide: COMPAT_CQRS_MODULE_OPTIONS, useValue: options.useValue }];
  if (options.useFactory) {
    return [
      {
        provide: COMPAT_CQRS_MODULE_OPTIONS,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      },
    ];
  }
  const factory = options.useClass ?? options.useExisting;
  if (factory) {
    return [
      ...(options.useClass ? [{ provide: options.useClass, useClass: options.useClass }] : []),
      {
        provide: COMPAT_CQRS_MODULE_OPTIONS,
        useFactory: (made: CqrsModuleOptionsFactory) => made.createCqrsOptions(),
        inject: [factory],
      },
    ];
  }
  throw new InvalidCqrsOptionError(
    'forRootAsync',
    'it has none of useFactory, useClass, useExisting or useValue. Give one of them.',
  );
}
