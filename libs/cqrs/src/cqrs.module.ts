import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnModuleInit,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RouteFactory } from './bus/route-factory';
import { CommandBus } from './command-bus';
import {
  type CqrsModuleAsyncOptions,
  CQRS_MODULE_OPTIONS,
  CqrsConfigurableModule,
} from './cqrs.module-definition';
import { DEFAULT_COMMAND_TIMEOUT_SECONDS, DEFAULT_QUERY_TIMEOUT_SECONDS } from './cqrs.constants';
import type { CqrsModuleOptions } from './cqrs-module-options';
import { HandlerExplorer } from './discovery/handler-explorer';
import { CommandTimeoutError } from './errors/command-timeout.error';
import { QueryTimeoutError } from './errors/query-timeout.error';
import { QueryBus } from './query-bus';

/**
 * Command and query buses with their handlers, found once at start-up.
 * `CqrsModule.forRoot({ commandTimeout, queryTimeout, enableEventSync, middleware })`
 * or `forRootAsync({ imports, inject, useFactory })`; global, so any module
 * can inject `CommandBus` and `QueryBus`. Works without the event-sourcing and saga modules.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [HandlerExplorer, RouteFactory, CommandBus, QueryBus],
  exports: [CommandBus, QueryBus],
})
export class CqrsModule
  extends CqrsConfigurableModule
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('CqrsModule');

  constructor(
    private readonly explorer: HandlerExplorer,
    private readonly routes: RouteFactory,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(CQRS_MODULE_OPTIONS) private readonly options: CqrsModuleOptions,
  ) {
    super();
  }

  /** The module with `options` (every field optional; see {@link CqrsModuleOptions}). */
  static override forRoot(options: CqrsModuleOptions = {}): DynamicModule {
    return { ...super.forRoot(options), global: true };
  }

  /** The module with options from a factory, class or existing provider. */
  static override forRootAsync(options: CqrsModuleAsyncOptions): DynamicModule {
    return { ...super.forRootAsync(options), global: true };
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
