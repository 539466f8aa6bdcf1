import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type Provider,
  type Type,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SagaRegistry } from './definition/saga-registry';
import { SagaStorageHealthIndicator } from './health/saga-storage.health-indicator';
import { resolveSagaOptions } from './resolve-saga-options';
import { SagaRunner } from './runner/saga-runner';
import { SAGA_MODULE_OPTIONS, SAGA_STORAGE } from './saga.constants';
import {
  SAGA_RAW_OPTIONS,
  sagaAsyncOptionsProviders,
  sagaOptionsProviders,
} from './saga.module-definition';
import { SAGA_CLASSES } from './saga-classes.token';
import { SagaExplorer } from './saga-explorer';
import type { SagaModuleAsyncOptions, SagaModuleOptions } from './saga-module-options';
import { createSagaStorage } from './storage/create-saga-storage';
import type { SagaStorage } from './storage/saga-storage';

/**
 * The global half of `SagaModule`: owns the options, the storage (opened by
 * `createSagaStorage`, closed here on shutdown, after the runner has halted),
 * the registry and the `SagaRunner`.
 */
@Global()
@Module({})
export class SagaCoreModule implements OnApplicationShutdown {
  constructor(@Inject(SAGA_STORAGE) private readonly storage: SagaStorage) {}

  /** The global core of `SagaModule.forRoot`. */
  static forRoot(options: SagaModuleOptions): DynamicModule {
    return SagaCoreModule.build(sagaOptionsProviders(options), [], options.sagas ?? []);
  }

  /** The global core of `SagaModule.forRootAsync`. */
  static forRootAsync(options: SagaModuleAsyncOptions): DynamicModule {
    return SagaCoreModule.build(
      sagaAsyncOptionsProviders(options),
      options.imports ?? [],
      options.sagas ?? [],
    );
  }

  /** Nest hook, run after the module's providers' own (the runner halts first): closes the storage. */
  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }

  private static build(
    optionProviders: Provider[],
    imports: NonNullable<DynamicModule['imports']>,
    sagas: Type<object>[],
  ): DynamicModule {
    return {
      module: SagaCoreModule,
      imports: [DiscoveryModule, ...imports],
      providers: [
        ...optionProviders,
        {
          provide: SAGA_MODULE_OPTIONS,
          useFactory: (raw: SagaModuleOptions) => resolveSagaOptions(raw),
          inject: [SAGA_RAW_OPTIONS],
        },
        {
          provide: SAGA_STORAGE,
          useFactory: (raw: SagaModuleOptions) => createSagaStorage(raw),
          inject: [SAGA_RAW_OPTIONS],
        },
        {
          provide: SAGA_CLASSES,
          // forRootAsync's `sagas` are known up front; the factory's own may add more.
          useFactory: (raw: SagaModuleOptions) => [...new Set([...sagas, ...(raw.sagas ?? [])])],
          inject: [SAGA_RAW_OPTIONS],
        },
        SagaRegistry,
        SagaExplorer,
        SagaRunner,
        SagaStorageHealthIndicator,
      ],
      exports: [
        SagaRunner,
        SagaRegistry,
        SagaStorageHealthIndicator,
        SAGA_STORAGE,
        SAGA_MODULE_OPTIONS,
      ],
    };
  }
}
