import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DemoConfig } from '../config/demo-config';
import { DEMO_DATA_SOURCE } from './demo-database.constants';
import { DemoSchema } from './demo-schema';

/**
 * The demo's own PostgreSQL connection (read model and ledger), used only when
 * `DATABASE_URL` is set. The libraries open their own connections from the URL.
 */
@Module({})
export class DemoDatabaseModule {
  static forRoot(config: DemoConfig): DynamicModule {
    if (!config.usesPostgres) return { module: DemoDatabaseModule };
    return {
      module: DemoDatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          name: DEMO_DATA_SOURCE,
          inject: [DemoConfig],
          useFactory: (demo: DemoConfig) => ({
            name: DEMO_DATA_SOURCE,
            type: 'postgres' as const,
            url: demo.databaseUrl,
            synchronize: false,
            retryAttempts: 2,
            retryDelay: 1000,
          }),
        }),
      ],
      providers: [DemoSchema],
      exports: [TypeOrmModule],
    };
  }
}
