import { Registry } from 'prom-client';
import { CelloMetrics } from '@cello/core/metrics/cello-metrics';

describe('CelloMetrics', () => {
  it('should register every metric under the prefix in the given registry', async () => {
    // Given
    const registry = new Registry();
    // When
    const metrics = new CelloMetrics({ prefix: 'shop_', registry });
    metrics.eventsAppended?.inc({ event_type: 'OrderCreated' }, 2);
    // Then
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'shop_events_appended_total',
        'shop_command_duration_seconds',
        'shop_sagas_in_flight',
      ]),
    );
    expect(await registry.metrics()).toContain(
      'shop_events_appended_total{event_type="OrderCreated"} 2',
    );
  });

  it('should reuse metrics already registered, so a second app in the process can start', () => {
    const registry = new Registry();
    const first = new CelloMetrics({ registry });
    const second = new CelloMetrics({ registry });
    expect(second.eventsAppended).toBe(first.eventsAppended);
  });

  it('should record nothing when disabled', () => {
    expect(CelloMetrics.disabled.enabled).toBe(false);
    expect(CelloMetrics.disabled.commandsDispatched).toBeUndefined();
  });
});
