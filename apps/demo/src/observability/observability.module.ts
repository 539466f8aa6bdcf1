import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { CelloMetricsModule } from '@cello/core';
import { DevtoolsModule } from '@cello/devtools';
import { HealthController } from './health.controller';

/**
 * What the demo shows of itself: Prometheus metrics at `/metrics`, health at
 * `/health`, and the developer pages `/events` and `/sagas`.
 */
@Module({
  imports: [
    PrometheusModule.register({ path: '/metrics' }),
    CelloMetricsModule.forRoot(),
    TerminusModule.forRoot({ logger: false }),
    // The demo exists to be looked at, so it opts in to the developer pages whatever
    // NODE_ENV says; an application opts in per environment (they are off by default).
    DevtoolsModule.forRoot({ enabled: true }),
  ],
  controllers: [HealthController],
})
export class ObservabilityModule {}
