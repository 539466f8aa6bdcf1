import { DynamicModule, Module } from '@nestjs/common';
import { DemoConfig } from '../config/demo-config';
import { DemoDatabase } from './demo-database';

/**
 * The demo's PostgreSQL or MySQL pool (read model, ledger, events and sagas),
 * present only when `DATABASE_URL` is set.
 */
@Module({})
export class DemoDatabaseModule {
  static forRoot(config: DemoConfig): DynamicModule {
    if (!config.usesPostgres && !config.usesMysql) return { module: DemoDatabaseModule };
    return {
      module: DemoDatabaseModule,
      global: true,
      providers: [DemoDatabase],
      exports: [DemoDatabase],
    };
  }
}
