import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { CelloMetricsModule } from '@cello/core';
import { DevtoolsModule } from '@cello/devtools';
import { HealthController } from './health.controller';

/**
 * What the demo shows of itself: Prometheus metrics at `/metrics`, health at
 * `/health`, and the developer pages `/events` and `/sagas` (off when
 * NODE_ENV=production).
 */
@Module({
  imports: [
    PrometheusModule.register({ path: '/metrics' }),
    CelloMetricsModule.forRoot(),
    TerminusModule.forRoot({ logger: false }),
    DevtoolsModule.forRoot(),
  ],
  controllers: [HealthController],
})
export class ObservabilityModule {}
