import type { AsyncModuleOptions } from '@cello/core';
import { createAsyncOptionsProviders } from '@cello/core/internal';
import type { Provider } from '@nestjs/common';
import type { CqrsModuleOptions, CqrsOptionsFactory } from './cqrs-module-options';

/** Injection token of the resolved `CqrsModuleOptions`. */
export const CQRS_MODULE_OPTIONS = Symbol('cello:cqrs-module-options');

/** The token of the resolved `CqrsModuleOptions`, for `inject` and `@Inject`. */
export function getCqrsOptionsToken(): typeof CQRS_MODULE_OPTIONS {
  return CQRS_MODULE_OPTIONS;
}

/** Options of `CqrsModule.forRootAsync`: `useFactory` (with `inject`), `useClass` or `useExisting`. */
export type CqrsModuleAsyncOptions = AsyncModuleOptions<CqrsModuleOptions, CqrsOptionsFactory>;

/** The options provider of `CqrsModule.forRoot(options)`. */
export function cqrsOptionsProviders(options: CqrsModuleOptions): Provider[] {
  return [{ provide: CQRS_MODULE_OPTIONS, useValue: options }];
}

/** The options providers of `CqrsModule.forRootAsync({ useFactory | useClass | useExisting })`. */
export function cqrsAsyncOptionsProviders(options: CqrsModuleAsyncOptions): Provider[] {
  return createAsyncOptionsProviders(
    'CqrsModule',
    CQRS_MODULE_OPTIONS,
    options,
    'createCqrsOptions',
  );
}
