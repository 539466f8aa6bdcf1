import type { Pool } from 'pg';

/** Options of `RelayConsumerModule.forRoot`. */
export interface RelayConsumerModuleOptions {
  /** NATS server URLs. */
  servers: string | string[];
  /** The JetStream stream the relay publishes to. Default 'CELLO'. */
  stream?: string;
  /** Durable consumer name: one per consuming service. */
  durableName: string;
  /** Subject filter, e.g. 'cello.OrderShipped'. Default: the whole stream. */
  filterSubject?: string;
  /** The service's PostgreSQL: a `postgresql://` URL or a `pg` Pool. */
  database: string | Pool;
  /** Prefix of the inbox tables (`<prefix>inbox`, `<prefix>inbox_parked`). Default 'cello_'. */
  tablePrefix?: string;
  /** Failed attempts (errors that are not transient) before a message is parked. Default 5. */
  maxAttempts?: number;
  /** First redelivery delay after a failure, in ms, doubled per attempt. Default 100. */
  retryDelayMs?: number;
  /** Longest redelivery delay, in ms. Default 5000. */
  maxRetryDelayMs?: number;
  /** JetStream ack wait of the consumer, in ms (kept alive while a handler runs). Default 30000. */
  ackWaitMs?: number;
  /** Start consuming when the application boots. Default true. */
  autoStart?: boolean;
}
