import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnModuleInit,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RouteFactory } from './bus/route-factory';
import { CommandBus } from './command-bus';
import {
  CQRS_MODULE_OPTIONS,
  cqrsAsyncOptionsProviders,
  cqrsOptionsProviders,
  type CqrsModuleAsyncOptions,
} from './cqrs.module-definition';
import { DEFAULT_COMMAND_TIMEOUT_SECONDS, DEFAULT_QUERY_TIMEOUT_SECONDS } from './cqrs.constants';
import type { CqrsModuleOptions } from './cqrs-module-options';
import { HandlerExplorer } from './discovery/handler-explorer';
import { CommandTimeoutError } from './errors/command-timeout.error';
import { QueryTimeoutError } from './errors/query-timeout.error';
import { QueryBus } from './query-bus';

/**
 * The global half of `CqrsModule`: the options, the buses and the route
 * tables, built once at start-up; stops the buses' deadline clocks on shutdown.
 */
@Global()
@Module({})
export class CqrsCoreModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CqrsModule');

  constructor(
    private readonly explorer: HandlerExplorer,
    private readonly routes: RouteFactory,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(CQRS_MODULE_OPTIONS) private readonly options: CqrsModuleOptions,
  ) {}

  /** The global core of `CqrsModule.forRoot`. */
  static forRoot(options: CqrsModuleOptions): DynamicModule {
    return CqrsCoreModule.build(cqrsOptionsProviders(options), []);
  }

  /** The global core of `CqrsModule.forRootAsync`. */
  static forRootAsync(options: CqrsModuleAsyncOptions): DynamicModule {
    return CqrsCoreModule.build(cqrsAsyncOptionsProviders(options), options.imports ?? []);
  }

  private static build(
    optionProviders: Provider[],
    imports: NonNullable<DynamicModule['imports']>,
  ): DynamicModule {
    return {
      module: CqrsCoreModule,
      imports: [DiscoveryModule, ...imports],
      providers: [...optionProviders, HandlerExplorer, RouteFactory, CommandBus, QueryBus],
      exports: [CommandBus, QueryBus, CQRS_MODULE_OPTIONS],
    };
  }

  /**
   * Builds the route tables once every provider exists (Nest instantiates all
   * of them before the first `onModuleInit`), so any module's
   * `onApplicationBootstrap` can already dispatch.
   */
  async onModuleInit(): Promise<void> {
    const commands = await this.routes.build(
      {
        kind: 'command',
        optionName: 'commandTimeout',
        timeoutSeconds: this.options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_SECONDS,
        middleware: [...(this.options.middleware ?? []), ...(this.options.commandMiddleware ?? [])],
        timeoutError: (name, ms) => new CommandTimeoutError(name, ms),
      },
      this.explorer.commandHandlers(),
    );
    const queries = await this.routes.build(
      {
        kind: 'query',
        optionName: 'queryTimeout',
        timeoutSeconds: this.options.queryTimeout ?? DEFAULT_QUERY_TIMEOUT_SECONDS,
        middleware: [...(this.options.middleware ?? []), ...(this.options.queryMiddleware ?? [])],
        timeoutError: (name, ms) => new QueryTimeoutError(name, ms),
      },
      this.explorer.queryHandlers(),
    );
    if (this.options.enableEventSync === true && !this.queryBus.canWaitForPositions) {
      this.logger.warn(
        '`enableEventSync` is on but EventSourcingModule is not imported: queries dispatched ' +
          'with `waitForPosition` will fail until it is.',
      );
    }
    this.commandBus.useRoutes(commands.routes, commands.scheduler);
    this.queryBus.useRoutes(queries.routes, queries.scheduler);
  }

  /** Nest hook: stops the buses' deadline clocks. */
  onApplicationShutdown(): void {
    this.commandBus.stop();
    this.queryBus.stop();
  }
}
