import { createAsyncOptionsProviders } from '@cello/core/internal';
import type { Provider } from '@nestjs/common';
import type { SagaModuleAsyncOptions, SagaModuleOptions } from './saga-module-options';

/** Injection token of the options as given (`SAGA_MODULE_OPTIONS` holds them resolved). */
export const SAGA_RAW_OPTIONS = Symbol('cello:saga-raw-options');

/** The options provider of `SagaModule.forRoot(options)`. */
export function sagaOptionsProviders(options: SagaModuleOptions): Provider[] {
  return [{ provide: SAGA_RAW_OPTIONS, useValue: options }];
}

/** The options providers of `SagaModule.forRootAsync({ useFactory | useClass | useExisting })`. */
export function sagaAsyncOptionsProviders(options: SagaModuleAsyncOptions): Provider[] {
  return createAsyncOptionsProviders('SagaModule', SAGA_RAW_OPTIONS, options, 'createSagaOptions');
}
