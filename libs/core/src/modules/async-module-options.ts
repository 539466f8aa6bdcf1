import type {
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
  Type,
} from '@nestjs/common';

/** The `forRootAsync` shape every Cello module takes (as `@nestjs/typeorm`'s). */
export interface AsyncModuleOptions<TOptions, TFactory> extends Pick<ModuleMetadata, 'imports'> {
  /** Creates the options from the `inject`ed providers. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the injected providers' types are the caller's
  useFactory?: (...args: any[]) => TOptions | Promise<TOptions>;
  /** Providers passed to `useFactory`. Default []. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** A factory class the module instantiates. */
  useClass?: Type<TFactory>;
  /** An existing (imported) provider implementing the factory. */
  useExisting?: Type<TFactory>;
}
