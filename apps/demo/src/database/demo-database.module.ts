import { DynamicModule, Module } from '@nestjs/common';
import { DemoConfig } from '../config/demo-config';
import { DemoDatabase } from './demo-database';

/**
 * The demo's own PostgreSQL or MySQL connection (read model and ledger), present
 * only when `DATABASE_URL` is set. The libraries open their own connections from the URL.
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
