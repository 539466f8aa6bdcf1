import type { InjectionToken, Provider } from '@nestjs/common';
import type { AsyncModuleOptions } from './async-module-options';

/**
 * The providers that make a module's options under `token` from its
 * `forRootAsync` options: a factory, a class the module instantiates, or an
 * existing provider, whose `factoryMethod` returns the options. Fails at once,
 * naming the module, when none is given (a silent no-op would start the app
 * with no options).
 */
export function createAsyncOptionsProviders<TOptions, TFactory>(
  moduleName: string,
  token: InjectionToken,
  options: AsyncModuleOptions<TOptions, TFactory>,
  factoryMethod: keyof TFactory & string,
): Provider[] {
  if (options.useFactory) {
    return [{ provide: token, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) {
    throw new TypeError(
      `${moduleName}.forRootAsync() needs one of useFactory, useClass or useExisting.`,
    );
  }
  const optionsProvider: Provider = {
    provide: token,
    useFactory: (factory: TFactory) =>
      (factory[factoryMethod] as () => TOptions | Promise<TOptions>).call(factory),
    inject: [factoryClass],
  };
  return options.useClass
    ? [optionsProvider, { provide: options.useClass, useClass: options.useClass }]
    : [optionsProvider];
}
