import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { CelloMetrics } from './cello-metrics';
import type { CelloMetricsOptions } from './cello-metrics-options';

/**
 * Turns on Cello's Prometheus metrics. Import it next to
 * `PrometheusModule.register()` (which serves `/metrics`); without it the
 * modules record nothing and need no Prometheus at all.
 */
@Global()
@Module({})
export class CelloMetricsModule {
  /** Registers the metrics in prom-client (global module). */
  static forRoot(options: CelloMetricsOptions = {}): DynamicModule {
    return {
      module: CelloMetricsModule,
      providers: [{ provide: CelloMetrics, useValue: new CelloMetrics(options) }],
      exports: [CelloMetrics],
    };
  }
}
