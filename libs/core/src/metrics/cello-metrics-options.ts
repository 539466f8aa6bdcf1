import type { Registry } from 'prom-client';

/** Options of `CelloMetricsModule.forRoot`. */
export interface CelloMetricsOptions {
  /** Prefix of every metric name. Default 'cello_'. */
  prefix?: string;
  /**
   * Registry the metrics are registered in. Default: prom-client's global
   * registry, the one `@willsoto/nestjs-prometheus` serves at `/metrics`.
   */
  registry?: Registry;
}
