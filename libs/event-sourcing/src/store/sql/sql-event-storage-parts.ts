import type { EntityManager } from 'typeorm';
import type { AppendResult, EventLog, EventToAppend } from '../event-log';
import type { ProcessorStore } from '../processor-store';
import type { SnapshotStore } from '../snapshot-store';
import type { QueuedAppend } from './append-coalescer';
import type { SqlConnection } from './sql-connection';

/** What an append came to: its result, or the error its caller gets. */
export type AppendOutcome = AppendResult | Error;

/** Writes coalesced appends: the one operation the shell cannot do itself. */
export interface SqlAppendWriter {
  /** Names the database in errors ("PostgreSQL", "MySQL"). */
  readonly engine: string;
  /** The backend's own limits, beyond the shared validation; throws `InvalidAppendError`. */
  check?(streamId: string, events: readonly EventToAppend[]): void;
  /** Writes `batch` in one statement or transaction: one outcome per append, in order. */
  write(batch: readonly QueuedAppend[]): Promise<readonly AppendOutcome[]>;
  /**
   * Writes one append on the connection of `manager`'s open transaction
   * (`EventStore.transaction`): the stream rows it locks stay locked until
   * that transaction ends.
   */
  writeInTransaction(
    manager: EntityManager,
    append: Pick<QueuedAppend, 'streamId' | 'events' | 'expected'>,
  ): Promise<AppendOutcome>;
  /** True for an outage (retried by the caller), false for a refused statement. */
  isUnavailable(error: unknown): boolean;
  /** True when the statement failed on the unique event id (an id already in another stream). */
  isEventIdConflict(error: unknown): boolean;
  /** True when the database refused a value (bad JSON, too long, out of range). */
  isInvalidInput(error: unknown): boolean;
}

/** How a backend notices other instances' appends. */
export interface SqlWakeUpSource {
  /** Starts noticing (the storage is connected and has listeners); idempotent. */
  start(wake: () => void): void;
  /** The last listener left. */
  idle(): void;
  /** This instance stored events (the shell has already woken its own listeners). */
  appended(): void;
  /** Stops for good. */
  stop(): Promise<void>;
}

/** The per-capability objects a SQL backend is composed of. */
export interface SqlEventStorageParts {
  readonly connection: SqlConnection<unknown>;
  readonly appends: SqlAppendWriter;
  readonly streams: Pick<EventLog, 'streamVersion' | 'readStream'>;
  readonly replay: Required<Pick<EventLog, 'replayStream'>>;
  readonly globalLog: Pick<EventLog, 'readAll' | 'headPosition'> &
    Required<Pick<EventLog, 'readBackward'>>;
  readonly snapshots: Pick<SnapshotStore, 'saveSnapshot' | 'loadSnapshot'>;
  readonly leases: Pick<ProcessorStore, 'acquireLease' | 'renewLease' | 'releaseLease'> &
    Required<Pick<ProcessorStore, 'readLease'>>;
  readonly checkpoints: Pick<
    ProcessorStore,
    'storeCheckpoint' | 'readCheckpoint' | 'resetCheckpoint'
  >;
  readonly parked: Pick<ProcessorStore, 'parkEvent' | 'listParked' | 'removeParked'>;
  readonly wakeUps: SqlWakeUpSource;
}

/** The shell's own settings, shared by the SQL backends' options. */
export interface SqlShellOptions {
  readonly pingTimeoutMs: number;
  readonly maxAppendBatchesInFlight: number;
  readonly maxEventsPerAppendBatch: number;
}
