import { ConfigurableModuleBuilder, type ConfigurableModuleAsyncOptions } from '@nestjs/common';
import type { CqrsModuleOptions } from './cqrs-module-options';

/**
 * `forRoot(options)` / `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`
 * and the options token, from Nest's own builder.
 */
export const {
  ConfigurableModuleClass: CqrsConfigurableModule,
  /** Injection token of the resolved `CqrsModuleOptions`. */
  MODULE_OPTIONS_TOKEN: CQRS_MODULE_OPTIONS,
  OPTIONS_TYPE: CQRS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CQRS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CqrsModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCqrsOptions')
  .build();

/**
 * Options of `CqrsModule.forRootAsync`: the builder's `CQRS_ASYNC_OPTIONS_TYPE`, spelled
 * with Nest's public type so the package's API names no unexported symbol.
 */
export type CqrsModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  CqrsModuleOptions,
  'createCqrsOptions'
>;
