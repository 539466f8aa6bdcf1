import type * as PromClient from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { loadOptionalPeer } from '../peers/load-optional-peer';
import type { CelloMetricsOptions } from './cello-metrics-options';

/** How a command or query dispatch ended. */
export type DispatchOutcome = 'success' | 'error' | 'timeout' | 'invalid';

/** How a saga execution ended. */
export type SagaOutcome = 'completed' | 'compensated' | 'compensation_failed' | 'timed_out';

// Latency buckets from 50 µs to 10 s: bus dispatches sit at the low end, appends in the middle.
const DURATION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10,
];

/**
 * The Prometheus metrics of the three modules. Label values are type names
 * only (event type, command, saga, step), never ids or payloads, so the number
 * of series stays bounded. `CelloMetrics.disabled` records nothing: modules
 * use it when `CelloMetricsModule` is not imported, so metrics stay optional.
 */
export class CelloMetrics {
  /** A recorder that records nothing, for apps without metrics. */
  static readonly disabled = new CelloMetrics({}, false);

  // Set only when enabled: prom-client is an optional peer, loaded when metrics are turned on.
  private readonly prom?: typeof PromClient;
  private readonly registry?: Registry;
  private readonly prefix: string;

  readonly eventsAppended?: Counter<'event_type'>;
  readonly eventsReplayed?: Counter<'aggregate'>;
  readonly snapshotsCreated?: Counter<'aggregate'>;
  readonly eventAppendDuration?: Histogram;
  readonly concurrencyConflicts?: Counter;
  readonly commandsDispatched?: Counter<'command' | 'outcome'>;
  readonly queriesDispatched?: Counter<'query' | 'outcome'>;
  readonly commandDuration?: Histogram<'command'>;
  readonly queryDuration?: Histogram<'query'>;
  readonly projectionLag?: Gauge<'projection'>;
  readonly projectionRetrying?: Gauge<'projection'>;
  readonly projectionEventsParked?: Counter<'projection'>;
  readonly sagaExecutions?: Counter<'saga' | 'outcome'>;
  readonly sagaStepsCompleted?: Counter<'saga' | 'step'>;
  readonly sagaCompensations?: Counter<'saga' | 'step'>;
  readonly sagaTimeouts?: Counter<'saga'>;
  readonly sagasInFlight?: Gauge<'saga'>;
  readonly sagasQuarantined?: Counter<'saga'>;

  constructor(
    options: CelloMetricsOptions = {},
    readonly enabled = true,
  ) {
    this.prefix = options.prefix ?? 'cello_';
    if (!enabled) return;
    this.prom = loadOptionalPeer<typeof PromClient>('prom-client', 'Cello metrics', require);
    this.registry = options.registry ?? this.prom.register;
    this.eventsAppended = this.counter('events_appended_total', 'Events appended', ['event_type']);
    this.eventsReplayed = this.counter('events_replayed_total', 'Events replayed into aggregates', [
      'aggregate',
    ]);
    this.snapshotsCreated = this.counter('snapshots_created_total', 'Snapshots written', [
      'aggregate',
    ]);
    this.eventAppendDuration = this.histogram(
      'event_append_duration_seconds',
      'Time of one append call',
      [],
    );
    this.concurrencyConflicts = this.counter(
      'concurrency_conflicts_total',
      'Appends refused by optimistic concurrency',
      [],
    );
    this.commandsDispatched = this.counter('commands_dispatched_total', 'Commands dispatched', [
      'command',
      'outcome',
    ]);
    this.queriesDispatched = this.counter('queries_dispatched_total', 'Queries dispatched', [
      'query',
      'outcome',
    ]);
    this.commandDuration = this.histogram('command_duration_seconds', 'Command dispatch time', [
      'command',
    ]);
    this.queryDuration = this.histogram('query_duration_seconds', 'Query dispatch time', ['query']);
    this.projectionLag = this.gauge(
      'projection_lag_events',
      'Events a projection is behind the log head',
      ['projection'],
    );
    this.projectionRetrying = this.gauge(
      'projection_retrying',
      '1 while a projection retries a failing event or an unreachable storage (its checkpoint stands still)',
      ['projection'],
    );
    this.projectionEventsParked = this.counter(
      'projection_events_parked_total',
      'Events a projection gave up on and parked',
      ['projection'],
    );
    this.sagaExecutions = this.counter('saga_executions_total', 'Sagas finished, by outcome', [
      'saga',
      'outcome',
    ]);
    this.sagaStepsCompleted = this.counter('saga_steps_completed_total', 'Saga steps completed', [
      'saga',
      'step',
    ]);
    this.sagaCompensations = this.counter('saga_compensations_total', 'Saga steps compensated', [
      'saga',
      'step',
    ]);
    this.sagaTimeouts = this.counter('saga_timeouts_total', 'Sagas that ran out of time', ['saga']);
    this.sagasInFlight = this.gauge('sagas_in_flight', 'Sagas running or compensating now', [
      'saga',
    ]);
    this.sagasQuarantined = this.counter(
      'sagas_quarantined_total',
      'Sagas set aside as corrupt: their stored state could not be read',
      ['saga'],
    );
  }

  // Get-or-create: several Nest apps in one process (tests) share prom-client's global registry.
  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    const fullName = this.prefix + name;
    const registry = this.registry!;
    const existing = registry.getSingleMetric(fullName);
    if (existing) return existing as Counter<L>;
    return new this.prom!.Counter({ name: fullName, help, labelNames, registers: [registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    const fullName = this.prefix + name;
    const registry = this.registry!;
    const existing = registry.getSingleMetric(fullName);
    if (existing) return existing as Gauge<L>;
    return new this.prom!.Gauge({ name: fullName, help, labelNames, registers: [registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: L[]): Histogram<L> {
    const fullName = this.prefix + name;
    const registry = this.registry!;
    const existing = registry.getSingleMetric(fullName);
    if (existing) return existing as Histogram<L>;
    return new this.prom!.Histogram({
      name: fullName,
      help,
      labelNames,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }
}
