import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { EventStoreHealthIndicator, SubscriptionsHealthIndicator } from '@cello/event-sourcing';
import { SagaStorageHealthIndicator } from '@cello/saga';

/**
 * `GET /health`: 200 when the event store and the saga storage both answer and
 * no projection is stalled, 503 (Terminus's usual body, with the reason) otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
    private readonly sagaStore: SagaStorageHealthIndicator,
    private readonly subscriptions: SubscriptionsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.eventStore.isHealthy('eventStore'),
      () => this.sagaStore.isHealthy('sagaStore'),
      // Down while a projection is stopped or has retried a failure for 30 s (its
      // read model is falling behind); parked events show in its details.
      () => this.subscriptions.isHealthy('subscriptions'),
    ]);
  }
}
