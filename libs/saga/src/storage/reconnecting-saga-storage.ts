import { Logger } from '@nestjs/common';
import { isCelloError, MissingPeerDependencyError } from '@cello/core';
import { StorageStarter } from '@cello/core/internal';
import { SagaStorageUnavailableError } from '../errors/saga-storage-unavailable.error';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from './saga-storage';

/**
 * A saga storage whose database may be down at start-up, started through
 * core's `StorageStarter` (the same behaviour as the event store): `start()`
 * opens it, or logs one warning and keeps trying in the background so the
 * application starts anyway. Until it opens, every call fails fast with
 * `SagaStorageUnavailableError` (and tries to open it once more); after, every
 * call goes through. `createSagaStorage` hands out the opened storage itself
 * when the first attempt succeeds, so this stand-in costs nothing then.
 */
export class ReconnectingSagaStorage implements SagaStorage {
  private storage?: SagaStorage;
  private closed = false;
  private readonly starter: StorageStarter;

  constructor(
    private readonly open: () => Promise<SagaStorage>,
    options: { name: string; retryIntervalMs?: number },
  ) {
    this.starter = new StorageStarter({
      name: options.name,
      connect: () => this.openOnce(),
      // A package to install is a mistake to fix, not an outage to wait out.
      isOutage: (error) => !isCelloError(error, MissingPeerDependencyError.code),
      logger: new Logger('SagaModule'),
      meanwhile: 'saga operations fail with SagaStorageUnavailableError',
      retryIntervalMs: options.retryIntervalMs,
    });
  }

  /** The opened storage, once it is. */
  get opened(): SagaStorage | undefined {
    return this.storage;
  }

  /** First attempt; resolves when open or when retrying in the background. */
  start(): Promise<void> {
    return this.starter.start();
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
    await this.starter.stop();
    await this.storage?.close();
  }

  private current(): Promise<SagaStorage> {
    if (this.storage) return Promise.resolve(this.storage);
    if (this.closed) {
      return Promise.reject(
        new SagaStorageUnavailableError('open', { cause: new Error('the storage is closed') }),
      );
    }
    return this.starter.connect().then(
      () => this.storage!,
      (error: unknown) => {
        throw new SagaStorageUnavailableError('connect', { cause: error });
      },
    );
  }

  private async openOnce(): Promise<void> {
    const storage = await this.open();
    if (this.closed) {
      await storage.close();
      throw new Error('the storage is closed');
    }
    this.storage = storage;
  }
}
