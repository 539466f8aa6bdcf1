import { DynamicModule, Global, Module } from '@nestjs/common';
import { DemoConfig } from './demo-config';

/** Makes the demo's {@link DemoConfig} injectable everywhere, including module factories. */
@Global()
@Module({})
export class DemoConfigModule {
  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: DemoConfigModule,
      providers: [{ provide: DemoConfig, useValue: config }],
      exports: [DemoConfig],
    };
  }
}
