import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { CelloMetricsModule } from '@cello/core';
import { CqrsModule } from '@cello/cqrs';
import { EventSourcingModule } from '@cello/event-sourcing';
import { SagaModule } from '@cello/saga';
import { Account } from './account.aggregate.js';
import { AccountsController } from './accounts.controller.js';
import { GetAccountHandler } from './get-account.handler.js';
import { HealthController } from './health.controller.js';
import { OpenAccountHandler } from './open-account.handler.js';
import { WelcomeSaga } from './welcome.saga.js';

// 'memory' unless DATABASE_URL names a PostgreSQL database.
const storage = process.env.DATABASE_URL ?? 'memory';

@Module({
  imports: [
    EventSourcingModule.forRoot({ storage }),
    EventSourcingModule.forFeature({ aggregates: [Account] }),
    CqrsModule.forRoot({ commandTimeout: 30, queryTimeout: 10 }),
    SagaModule.forRoot({ storage, maxRetries: 2, retryDelay: 1, timeout: 60 }),
    PrometheusModule.register({ path: '/metrics' }),
    CelloMetricsModule.forRoot({ prefix: 'cello_' }),
    TerminusModule.forRoot(),
  ],
  controllers: [AccountsController, HealthController],
  providers: [OpenAccountHandler, GetAccountHandler, WelcomeSaga],
})
export class AppModule {}
