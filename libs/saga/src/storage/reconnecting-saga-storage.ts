import { Logger } from '@nestjs/common';
import { SagaStorageUnavailableError } from '../errors/saga-storage-unavailable.error';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from './saga-storage';

/** How often an unreachable saga storage is tried again in the background, in milliseconds. */
export const SAGA_STORAGE_RETRY_INTERVAL_MS = 1000;

/**
 * Stands in for a saga storage whose database was unreachable at start-up, so
 * the application starts anyway (the seed's "log a warning at startup but do
 * not prevent the application from running"). It keeps trying to open the
 * real storage in the background; until then every call fails fast with
 * `SagaStorageUnavailableError`, and once it opens every call goes through.
 */
export class ReconnectingSagaStorage implements SagaStorage {
  private readonly logger = new Logger('SagaModule');
  private storage?: SagaStorage;
  private opening?: Promise<SagaStorage>;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly open: () => Promise<SagaStorage>,
    private readonly retryIntervalMs = SAGA_STORAGE_RETRY_INTERVAL_MS,
  ) {
    this.scheduleRetry();
  }

  create(write: SagaWrite & { sagaName: string; incarnation?: string }): Promise<boolean> {
    return this.current().then((s) => s.create(write));
  }

  save(write: SagaWrite): Promise<boolean> {
    return this.current().then((s) => s.save(write));
  }

  load(id: string): Promise<SagaRecord | undefined> {
    return this.current().then((s) => s.load(id));
  }

  list(query?: SagaListQuery): Promise<SagaRecord[]> {
    return this.current().then((s) => s.list(query));
  }

  claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    claimer?: SagaClaimer,
  ): Promise<SagaRecord[]> {
    return this.current().then((s) => s.claimAbandoned(owner, leaseTtlMs, limit, claimer));
  }

  claim(
    id: string,
    status: SagaRecord['status'],
    owner: string,
    leaseTtlMs: number,
    incarnation?: string,
  ): Promise<SagaRecord | undefined> {
    return this.current().then((s) => s.claim(id, status, owner, leaseTtlMs, incarnation));
  }

  heartbeat(instanceId: string, incarnation: string, ttlMs: number): Promise<SagaHeartbeat> {
    return this.current().then((s) => s.heartbeat(instanceId, incarnation, ttlMs));
  }

  retireIncarnation(incarnation: string): Promise<void> {
    return this.current().then((s) => s.retireIncarnation(incarnation));
  }

  quarantine(id: string, owner: string, fencingToken: number): Promise<boolean> {
    return this.current().then((s) => s.quarantine(id, owner, fencingToken));
  }

  renewLeases(
    owner: string,
    leases: ReadonlyMap<string, number>,
    leaseTtlMs: number,
  ): Promise<string[]> {
    return this.current().then((s) => s.renewLeases(owner, leases, leaseTtlMs));
  }

  ping(): Promise<void> {
    return this.current().then((s) => s.ping());
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.opening?.catch(() => undefined);
    await this.storage?.close();
  }

  private current(): Promise<SagaStorage> {
    if (this.storage) return Promise.resolve(this.storage);
    if (this.closed) {
      return Promise.reject(
        new SagaStorageUnavailableError('open', { cause: new Error('the storage is closed') }),
      );
    }
    this.opening ??= this.open()
      .then(
        (storage) => {
          if (this.closed) {
            void storage.close();
            throw new Error('the storage is closed');
          }
          this.storage = storage;
          clearTimeout(this.retryTimer);
          this.logger.log('Saga storage reachable again: connected and migrated');
          return storage;
        },
        (error: unknown) => {
          throw new SagaStorageUnavailableError('connect', { cause: error });
        },
      )
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private scheduleRetry(): void {
    if (this.closed || this.storage) return;
    this.retryTimer = setTimeout(() => {
      this.current().catch(() => this.scheduleRetry());
    }, this.retryIntervalMs);
    this.retryTimer.unref();
  }
}
