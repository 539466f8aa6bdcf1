import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { EventStoreHealthIndicator } from '@cello/event-sourcing';
import { SagaStorageHealthIndicator } from '@cello/saga';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
    private readonly sagaStore: SagaStorageHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.eventStore.isHealthy('eventStore'),
      () => this.sagaStore.isHealthy('sagaStore'),
    ]);
  }
}
