import type { EventClass } from '@cello/event-sourcing';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';

/** Where and how the relay publishes (the part `forRootAsync` may compute). */
export interface RelayConnectionOptions {
  /** NATS server URLs, e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Subjects are `<subjectPrefix>.<EventType>`. Default 'cello'. */
  subjectPrefix?: string;
  /** The JetStream stream that takes the subjects. Default 'CELLO'. */
  stream?: string;
  /**
   * Create the stream (subjects `<subjectPrefix>.>`) when missing, and set its
   * duplicate window, on the first connection. Default true.
   */
  createStream?: boolean;
  /**
   * JetStream duplicate window of a created stream, in milliseconds: a re-send of
   * an event within it is dropped. Keep it above the longest relay outage you
   * expect to recover from by re-sending. Default 120000.
   */
  duplicateWindowMs?: number;
  /** How long one publish waits for JetStream's ack, in milliseconds. Default 5000. */
  publishTimeoutMs?: number;
  /** Name of the NATS connection, shown by the server. Default 'cello-relay'. */
  connectionName?: string;
}

/** What the relay relays: fixed when the module is declared (decorators are built from it). */
export interface RelayDefinitionOptions {
  /** The event classes to publish (registered with `EventSourcingModule`). */
  events: EventClass[];
  /**
   * Subscriber name of the relay: keys its checkpoint, lease, parked events and its
   * `cello_projection_lag_events{projection=...}` series. Default 'cello-relay'.
   */
  name?: string;
  /** Events per publish batch (the checkpoint moves once per batch). Default 500. */
  batchSize?: number;
  /** First retry delay of a failed publish, in ms, doubled per attempt. Default 100. */
  retryDelayMs?: number;
  /** Longest delay between two publish attempts, in ms. Default 5000. */
  maxRetryDelayMs?: number;
  /** Where the relay starts when it has no checkpoint yet. Default 'beginning'. */
  startFrom?: 'beginning' | 'end' | number;
}

/** Options of `RelayModule.forRoot`. */
export interface RelayModuleOptions extends RelayDefinitionOptions, RelayConnectionOptions {}

/** Options of `RelayModule.forRootAsync`: the connection comes from a factory. */
export interface RelayModuleAsyncOptions
  extends RelayDefinitionOptions, Pick<ModuleMetadata, 'imports'> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the injected providers' types are the caller's
  useFactory: (...args: any[]) => RelayConnectionOptions | Promise<RelayConnectionOptions>;
  inject?: (InjectionToken | OptionalFactoryDependency)[];
}
