import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error';
import { InvalidAppendError } from '../../errors/invalid-append.error';
import { TransactionAbortedError } from '../../errors/transaction-aborted.error';
import { TransactionEndedError } from '../../errors/transaction-ended.error';
import type {
  AppendResult,
  EventToAppend,
  ExpectedVersion,
  ReadAllOptions,
  ReadBackwardOptions,
  ReadStreamOptions,
  ReplayedEvent,
  ReplayStreamOptions,
  StoredEvent,
} from '../event-log';
import type { EventLogTransaction } from '../event-log-transaction';
import type { EventStorage } from '../event-storage';
import type { ParkedEvent, ProcessorLease, ProcessorLeaseOwner } from '../processor-store';
import type { StoredSnapshot } from '../snapshot-store';
import { AppendCoalescer, type AppendStats, type QueuedAppend } from './append-coalescer';
import { validateAppend } from './append-validation';
import type {
  AppendOutcome,
  SqlEventStorageParts,
  SqlShellOptions,
} from './sql-event-storage-parts';
import { WakeUpFanOut } from './wake-up-fan-out';

/**
 * What the SQL event storages share: lifecycle (lazy connect and migrate, a
 * failed `init()` tried again by the next call), append coalescing with the
 * "retry each append alone" fallback, settling each caller with its own
 * outcome, wake-up fan-out, `ping` and `close`. Everything that speaks SQL is
 * in the backend's per-capability parts, one operation per file.
 */
export abstract class SqlEventStorage implements EventStorage {
  private readonly coalescer: AppendCoalescer;
  private readonly fanOut = new WakeUpFanOut();
  private initializing?: Promise<void>;
  private closed = false;

  protected constructor(
    private readonly parts: SqlEventStorageParts,
    private readonly shell: SqlShellOptions,
  ) {
    this.coalescer = new AppendCoalescer(
      (batch) => this.sendAppendBatch(batch),
      Math.max(1, shell.maxAppendBatchesInFlight),
      Math.max(1, shell.maxEventsPerAppendBatch),
    );
  }

  /** How many appends were requested and how many statements (or transactions) carried them. */
  get appendStats(): AppendStats {
    return this.coalescer.stats;
  }

  init(): Promise<void> {
    if (this.parts.connection.connected) return Promise.resolve();
    this.initializing ??= this.connectAndMigrate().finally(() => {
      this.initializing = undefined;
    });
    return this.initializing;
  }

  private async connectAndMigrate(): Promise<void> {
    await this.parts.connection.connect();
    if (this.fanOut.size > 0 && !this.closed) this.parts.wakeUps.start(this.fanOut.wake);
  }

  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    if (this.closed) {
      return Promise.reject(new EventStoreUnavailableError('the storage is closed'));
    }
    try {
      validateAppend(streamId, events, expected);
      this.parts.appends.check?.(streamId, events);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) =>
      this.coalescer.enqueue({ streamId, events, expected, resolve, reject }),
    );
  }

  /**
   * A TypeORM transaction whose appends go straight to its connection, one
   * after the other (never coalesced with other callers'); listeners are
   * woken once it committed with events. A deadlock, serialization failure or
   * lock wait timeout, from an append, the application's own SQL or the
   * commit, rejects it with `TransactionConflictError` (not re-run: see there).
   */
  async transaction<T>(work: (tx: EventLogTransaction) => Promise<T>): Promise<T> {
    if (this.closed) throw new EventStoreUnavailableError('the storage is closed');
    await this.init();
    const connection = this.parts.connection;
    let appended = false;
    let ended = false;
    // An append that lost: the database already rolled the transaction back, whatever the work does next.
    let lost: Error | undefined;
    let result: T;
    try {
      result = await connection.inTransaction(async (manager) => {
        const writer = this.parts.appends;
        // One connection: appends of the same transaction run in turn, never interleaved.
        let previous: Promise<unknown> = Promise.resolve();
        const tx: EventLogTransaction = {
          manager,
          append: (streamId, events, expected) => {
            if (ended) return Promise.reject(new TransactionEndedError(streamId));
            const next = previous
              .catch(() => undefined)
              .then(async (): Promise<AppendResult> => {
                // The database ended the transaction (MySQL would run later statements in autocommit).
                if (lost !== undefined) throw lost;
                validateAppend(streamId, events, expected);
                writer.check?.(streamId, events);
                const append = { streamId, events, expected };
                let outcome: AppendOutcome;
                try {
                  outcome = await writer.writeInTransaction(manager, append);
                } catch (error) {
                  const conflict = connection.toTransactionConflict(error);
                  if (conflict !== undefined) throw (lost ??= conflict);
                  throw this.appendError(append, error);
                }
                if (outcome instanceof Error) throw outcome;
                if (!outcome.duplicate) appended = true;
                return outcome;
              });
            previous = next;
            return next;
          },
        };
        const value = await work(tx).finally(() => {
          ended = true;
        });
        // The work caught the conflict and resolved: committing now would store nothing and say it did.
        if (lost !== undefined) throw lost;
        // The work caught a failed statement of its own: PostgreSQL would turn the COMMIT into a ROLLBACK.
        if (await connection.isTransactionAborted(manager)) {
          throw new TransactionAbortedError(connection.engine);
        }
        return value;
      });
    } catch (error) {
      throw connection.toTransactionConflict(error) ?? error;
    }
    if (appended) {
      this.fanOut.wake();
      this.parts.wakeUps.appended();
    }
    return result;
  }

  /** Sends one coalesced batch; settles each append with its own outcome. */
  private async sendAppendBatch(batch: QueuedAppend[]): Promise<void> {
    const writer = this.parts.appends;
    try {
      this.settleAppends(batch, await writer.write(batch));
    } catch (error) {
      if (batch.length === 1 || writer.isUnavailable(error)) {
        for (const append of batch) append.reject(this.appendError(append, error));
        return;
      }
      // One malformed append failed the whole statement: retry each alone, so
      // only it fails and the others are stored.
      for (const append of batch) {
        try {
          this.settleAppends([append], await writer.write([append]));
        } catch (single) {
          append.reject(this.appendError(append, single));
        }
      }
    }
  }

  private settleAppends(batch: readonly QueuedAppend[], outcomes: readonly AppendOutcome[]): void {
    let appended = false;
    for (let index = 0; index < batch.length; index++) {
      const outcome = outcomes[index];
      if (outcome instanceof Error) {
        batch[index].reject(this.appendError(batch[index], outcome));
      } else {
        if (!outcome.duplicate) appended = true;
        batch[index].resolve(outcome);
      }
    }
    if (appended) {
      this.fanOut.wake();
      this.parts.wakeUps.appended();
    }
  }

  /** The typed error for an append whose statement failed. */
  private appendError(append: Pick<QueuedAppend, 'streamId'>, error: unknown): unknown {
    const writer = this.parts.appends;
    if (writer.isUnavailable(error)) {
      return this.parts.connection.mapError(error, `append to "${append.streamId}"`);
    }
    if (writer.isEventIdConflict(error)) return new EventIdConflictError(append.streamId, []);
    // A refused value is the append's own fault, never retried.
    if (writer.isInvalidInput(error)) {
      const message = (error as { message?: string }).message;
      return new InvalidAppendError(append.streamId, message ?? `rejected by ${writer.engine}`, {
        cause: error,
      });
    }
    return error;
  }

  streamVersion(streamId: string): Promise<number> {
    return this.parts.streams.streamVersion(streamId);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.parts.streams.readStream(streamId, options);
  }

  replayStream(
    streamId: string,
    options: ReplayStreamOptions,
    onEvent: (event: ReplayedEvent) => void,
  ): Promise<void> {
    return this.parts.replay.replayStream(streamId, options, onEvent);
  }

  readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.parts.globalLog.readAll(options);
  }

  readBackward(options: ReadBackwardOptions): Promise<StoredEvent[]> {
    return this.parts.globalLog.readBackward(options);
  }

  headPosition(): Promise<number> {
    return this.parts.globalLog.headPosition();
  }

  saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    return this.parts.snapshots.saveSnapshot(snapshot);
  }

  loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined> {
    return this.parts.snapshots.loadSnapshot(streamId, aggregateType);
  }

  acquireLease(
    processor: string,
    owner: string,
    ttlMs: number,
  ): Promise<ProcessorLease | undefined> {
    return this.parts.leases.acquireLease(processor, owner, ttlMs);
  }

  renewLease(lease: ProcessorLease, ttlMs: number): Promise<ProcessorLease | undefined> {
    return this.parts.leases.renewLease(lease, ttlMs);
  }

  readLease(processor: string): Promise<ProcessorLeaseOwner | undefined> {
    return this.parts.leases.readLease(processor);
  }

  releaseLease(lease: ProcessorLease): Promise<void> {
    return this.parts.leases.releaseLease(lease);
  }

  storeCheckpoint(lease: ProcessorLease, position: number): Promise<boolean> {
    return this.parts.checkpoints.storeCheckpoint(lease, position);
  }

  readCheckpoint(processor: string): Promise<number> {
    return this.parts.checkpoints.readCheckpoint(processor);
  }

  resetCheckpoint(processor: string, position: number): Promise<void> {
    return this.parts.checkpoints.resetCheckpoint(processor, position);
  }

  parkEvent(processor: string, event: StoredEvent, error: string, attempts: number): Promise<void> {
    return this.parts.parked.parkEvent(processor, event, error, attempts);
  }

  listParked(processor?: string): Promise<ParkedEvent[]> {
    return this.parts.parked.listParked(processor);
  }

  removeParked(id: number): Promise<void> {
    return this.parts.parked.removeParked(id);
  }

  onAppended(listener: () => void): () => void {
    this.fanOut.add(listener);
    if (this.parts.connection.connected && !this.closed) {
      this.parts.wakeUps.start(this.fanOut.wake);
    }
    return () => {
      this.fanOut.delete(listener);
      if (this.fanOut.size === 0) this.parts.wakeUps.idle();
    };
  }

  async ping(): Promise<void> {
    const timeoutMs = this.shell.pingTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EventStoreUnavailableError(`ping got no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.parts.connection.ping(timeoutMs), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted finish (or fail) before the pool goes away.
    await this.coalescer.whenIdle();
    await this.parts.wakeUps.stop();
    this.fanOut.clear();
    this.parts.connection.detach();
    await this.initializing?.catch(() => undefined);
    await this.parts.connection.release();
  }
}
