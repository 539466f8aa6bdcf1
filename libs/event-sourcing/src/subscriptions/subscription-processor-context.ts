import type { LoggerService } from '@nestjs/common';
import type { Event } from '../event/event';
import type { EventLog, ProcessorStore, StoredEvent } from '../store/event-storage';
import type { ProcessorMetricReporters } from './processor-status';

/** Turns a stored event into an instance of its class (upcasting older schema versions). */
export type SubscriptionEventDecoder = (stored: StoredEvent) => Event;

/** What a processor needs from its manager. */
export interface SubscriptionProcessorContext extends ProcessorMetricReporters {
  /** The log it reads and where it keeps its lease, checkpoint and parked events (no snapshots needed). */
  readonly storage: EventLog & ProcessorStore;
  /** This instance's lease owner id. */
  readonly owner: string;
  readonly decode: SubscriptionEventDecoder;
  readonly logger: LoggerService;
  /** Told each time the subscriber parks an event (for metrics). */
  readonly reportParked?: () => void;
}
