import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { EventStoreHealthIndicator } from '@cello/event-sourcing';
import { SagaStorageHealthIndicator } from '@cello/saga';

/**
 * `GET /health`: 200 when the event store and the saga storage both answer,
 * 503 (Terminus's usual body, with the reason) when either does not.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
    private readonly sagaStore: SagaStorageHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.eventStore.isHealthy('eventStore'),
      () => this.sagaStore.isHealthy('sagaStore'),
    ]);
  }
}
