import { type DynamicModule, Module } from '@nestjs/common';
import { SagaCoreModule } from './saga-core.module';
import type { SagaModuleAsyncOptions, SagaModuleOptions } from './saga-module-options';

/**
 * Sagas for NestJS: `SagaModule.forRoot({ storage, maxRetries, retryDelay, timeout })`
 * (or `forRootAsync`) once in the root module registers `SagaRunner` globally;
 * sagas are `@Saga` providers of any module or `Saga` subclasses listed in `sagas`.
 */
@Module({})
export class SagaModule {
  /** Configures the module with plain options. */
  static forRoot(options: SagaModuleOptions = {}): DynamicModule {
    return { module: SagaModule, imports: [SagaCoreModule.forRoot(options)] };
  }

  /** Configures the module from a factory, a class or an existing provider. */
  static forRootAsync(options: SagaModuleAsyncOptions): DynamicModule {
    return { module: SagaModule, imports: [SagaCoreModule.forRootAsync(options)] };
  }
}
