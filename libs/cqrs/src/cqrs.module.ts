import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsCoreModule } from './cqrs-core.module';
import type { CqrsModuleAsyncOptions } from './cqrs.module-definition';
import type { CqrsModuleOptions } from './cqrs-module-options';

/**
 * Command and query buses with their handlers, found once at start-up.
 * `CqrsModule.forRoot({ commandTimeout, queryTimeout, enableEventSync, middleware })`
 * or `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`
 * once in the root module; any module can then inject `CommandBus` and
 * `QueryBus`. Works without the event-sourcing and saga modules.
 */
@Module({})
export class CqrsModule {
  /** The module with `options` (every field optional; see {@link CqrsModuleOptions}). */
  static forRoot(options: CqrsModuleOptions = {}): DynamicModule {
    return { module: CqrsModule, imports: [CqrsCoreModule.forRoot(options)] };
  }

  /** The module with options from a factory, class or existing provider. */
  static forRootAsync(options: CqrsModuleAsyncOptions): DynamicModule {
    return { module: CqrsModule, imports: [CqrsCoreModule.forRootAsync(options)] };
  }
}
