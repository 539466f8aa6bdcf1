import { DynamicModule, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { redactSecrets } from '@cello/core';
import { CqrsModule } from '@cello/cqrs';
import { EventSourcingModule } from '@cello/event-sourcing';
import { RelayModule } from '@cello/relay';
import { SagaModule } from '@cello/saga';
import { AppController } from './app.controller';
import { DemoConfig } from './config/demo-config';
import { DemoConfigModule } from './config/demo-config.module';
import { DemoDatabase } from './database/demo-database';
import { DemoDatabaseModule } from './database/demo-database.module';
import { HttpErrorFilter } from './http/http-error.filter';
import { createValidationPipe } from './http/validation.pipe';
import { ObservabilityModule } from './observability/observability.module';
import { OrderShipped } from './orders/events/order-shipped.event';
import { OrdersModule } from './orders/orders.module';

/** The demo application: `AppModule.forRoot(DemoConfig.fromEnv(process.env))`. */
@Module({})
export class AppModule implements OnApplicationBootstrap {
  constructor(private readonly config: DemoConfig) {}

  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DemoConfigModule.forRoot(config),
        DemoDatabaseModule.forRoot(config),
        // Events: on the demo's one pool when DATABASE_URL is set, else the embedded in-memory store.
        EventSourcingModule.forRootAsync({
          inject: [{ token: DemoDatabase, optional: true }],
          // A stalled database fails a call as unavailable (503) well before the 30 s command timeout (504).
          useFactory: (database?: DemoDatabase) => ({
            storage: database?.dataSource ?? 'memory',
            statementTimeoutMs: 10_000,
          }),
        }),
        // Commands and queries; read models follow committed events (read-your-writes).
        CqrsModule.forRoot({ enableEventSync: true }),
        // Saga state next to the events, on the same pool, with the retry policy of the fake services.
        SagaModule.forRootAsync({
          inject: [DemoConfig, { token: DemoDatabase, optional: true }],
          useFactory: (demo: DemoConfig, database?: DemoDatabase) => ({
            storage: database?.dataSource ?? 'memory',
            maxRetries: demo.saga.maxRetries,
            retryDelay: demo.saga.retryDelaySeconds,
            timeout: demo.saga.timeoutSeconds,
            leaseTtl: demo.saga.leaseTtlSeconds,
            recoveryInterval: demo.saga.recoveryIntervalSeconds,
          }),
        }),
        OrdersModule.forRoot(config),
        // /metrics, /health, and the /events and /sagas developer pages.
        ObservabilityModule,
        // With NATS_URL: OrderShipped relayed to JetStream for other services (apps/notifier).
        ...(config.natsUrl === undefined
          ? []
          : [
              RelayModule.forRoot({
                servers: config.natsUrl,
                stream: config.relayStream,
                subjectPrefix: config.relaySubjectPrefix,
                events: [OrderShipped],
              }),
            ]),
      ],
      controllers: [AppController],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }

  onApplicationBootstrap(): void {
    const logger = new Logger('Demo');
    if (this.config.usesPostgres) {
      logger.log(
        `Storage: PostgreSQL at ${this.config.redactedDatabaseUrl} (events, saga state, ` +
          `read model in schema "${this.config.readModelSchema}", ledger in "${this.config.servicesSchema}")`,
      );
    } else if (this.config.databaseUrl !== undefined) {
      logger.log(
        `Storage: MySQL/MariaDB at ${this.config.redactedDatabaseUrl} (events, saga state, ` +
          `read model in table "${this.config.readModelSchema}_orders", ledger in "${this.config.servicesSchema}_ledger")`,
      );
    } else {
      logger.log(
        'Storage: embedded in-memory (DATABASE_URL is not set); everything is lost when the process stops',
      );
    }
    if (this.config.natsUrl !== undefined) {
      logger.log(
        `Relay: OrderShipped to JetStream stream "${this.config.relayStream}" at ${redactSecrets(this.config.natsUrl)} ` +
          `(subject ${this.config.relaySubjectPrefix}.OrderShipped)`,
      );
    }
  }
}
