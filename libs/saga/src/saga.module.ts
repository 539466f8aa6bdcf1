import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SagaRegistry } from './definition/saga-registry';
import { SagaRunner } from './runner/saga-runner';
import { SagaStorageHealthIndicator } from './health/saga-storage.health-indicator';
import { SAGA_MODULE_OPTIONS, SAGA_STORAGE } from './saga.constants';
import { SAGA_CLASSES } from './saga-classes.token';
import { SagaExplorer } from './saga-explorer';
import type {
  SagaModuleAsyncOptions,
  SagaModuleOptions,
  SagaOptionsFactory,
} from './saga-module-options';
import { resolveSagaOptions } from './resolve-saga-options';
import { createSagaStorage } from './storage/create-saga-storage';

const RAW_OPTIONS = Symbol('cello:saga-raw-options');

/**
 * Sagas for NestJS: `SagaModule.forRoot({ storage, maxRetries, retryDelay, timeout })`
 * registers `SagaRunner` globally; sagas are `@Saga` providers of any module
 * or `Saga` subclasses listed in `sagas`.
 */
@Module({})
export class SagaModule {
  /** Configures the module with plain options. */
  static forRoot(options: SagaModuleOptions = {}): DynamicModule {
    return SagaModule.build([{ provide: RAW_OPTIONS, useValue: options }], options.sagas ?? []);
  }

  /** Configures the module from a factory, a class or an existing provider. */
  static forRootAsync(options: SagaModuleAsyncOptions): DynamicModule {
    const providers: Provider[] = [];
    if (options.useFactory) {
      providers.push({
        provide: RAW_OPTIONS,
        useFactory: options.useFactory as (...args: unknown[]) => SagaModuleOptions,
        inject: (options.inject ?? []) as never[],
      });
    } else {
      const factory = (options.useClass ?? options.useExisting)!;
      if (options.useClass) providers.push({ provide: factory, useClass: factory });
      providers.push({
        provide: RAW_OPTIONS,
        useFactory: (f: SagaOptionsFactory) => f.createSagaOptions(),
        inject: [factory],
      });
    }
    return {
      ...SagaModule.build(providers, options.sagas ?? []),
      imports: [DiscoveryModule, ...(options.imports ?? [])],
    };
  }

  private static build(optionProviders: Provider[], sagas: unknown[]): DynamicModule {
    return {
      module: SagaModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        ...optionProviders,
        {
          provide: SAGA_MODULE_OPTIONS,
          useFactory: (raw: SagaModuleOptions) => resolveSagaOptions(raw),
          inject: [RAW_OPTIONS],
        },
        {
          provide: SAGA_STORAGE,
          useFactory: (raw: SagaModuleOptions) => createSagaStorage(raw),
          inject: [RAW_OPTIONS],
        },
        {
          provide: SAGA_CLASSES,
          useFactory: (raw: SagaModuleOptions) => [...sagas, ...(raw.sagas ?? [])],
          inject: [RAW_OPTIONS],
        },
        SagaRegistry,
        SagaExplorer,
        SagaRunner,
        SagaStorageHealthIndicator,
      ],
      exports: [SagaRunner, SagaRegistry, SagaStorageHealthIndicator, SAGA_STORAGE],
    };
  }
}
