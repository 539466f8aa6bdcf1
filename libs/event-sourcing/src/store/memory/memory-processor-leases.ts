import type { ProcessorLease, ProcessorLeaseOwner } from '../event-storage';

interface LeaseRecord {
  owner: string;
  fencingToken: number;
  checkpoint: number;
  /** False until a checkpoint is stored or reset: where `startFrom` applies. */
  hasCheckpoint: boolean;
  /** Epoch ms; at or before now means free. */
  expiresAt: number;
}

/**
 * Processor leases and checkpoints for the in-memory backend, with the same
 * rules as the PostgreSQL lease rows: one live holder, a fencing token that
 * grows on every takeover and guards every checkpoint write.
 */
export class MemoryProcessorLeases {
  private readonly leases = new Map<string, LeaseRecord>();

  /** Takes the lease when free, expired or already `owner`'s; `undefined` when someone else holds it. */
  acquire(processor: string, owner: string, ttlMs: number): ProcessorLease | undefined {
    const now = Date.now();
    const record = this.leases.get(processor);
    if (record === undefined) {
      const created = {
        owner,
        fencingToken: 1,
        checkpoint: 0,
        hasCheckpoint: false,
        expiresAt: now + ttlMs,
      };
      this.leases.set(processor, created);
      return toLease(processor, created);
    }
    if (record.owner !== owner) {
      if (record.expiresAt > now) return undefined;
      // A takeover: the old holder's token stops working.
      record.owner = owner;
      record.fencingToken += 1;
    }
    record.expiresAt = now + ttlMs;
    return toLease(processor, record);
  }

  /** Extends a lease still held; `undefined` when it was taken over. */
  renew(lease: ProcessorLease, ttlMs: number): ProcessorLease | undefined {
    const record = this.current(lease);
    if (record === undefined) return undefined;
    record.expiresAt = Date.now() + ttlMs;
    return toLease(lease.processor, record);
  }

  /** The live lease's owner and expiry; `undefined` when free, released or expired. */
  read(processor: string): ProcessorLeaseOwner | undefined {
    const record = this.leases.get(processor);
    if (record === undefined || record.owner === '' || record.expiresAt <= Date.now()) {
      return undefined;
    }
    return { owner: record.owner, expiresAt: new Date(record.expiresAt) };
  }

  /** Frees a lease still held so another owner can take it at once. */
  release(lease: ProcessorLease): void {
    const record = this.current(lease);
    if (record !== undefined) record.expiresAt = 0;
  }

  /** Records `position` as finished; false (nothing written) when the token is stale. */
  storeCheckpoint(lease: ProcessorLease, position: number): boolean {
    const record = this.current(lease);
    if (record === undefined) return false;
    record.checkpoint = position;
    record.hasCheckpoint = true;
    return true;
  }

  /** The processor's checkpoint, whoever holds the lease (0 when it has none). */
  checkpoint(processor: string): number {
    return this.leases.get(processor)?.checkpoint ?? 0;
  }

  /** Moves the checkpoint, whoever holds the lease (a rebuild). */
  resetCheckpoint(processor: string, position: number): void {
    const record = this.leases.get(processor);
    if (record === undefined) {
      this.leases.set(processor, {
        owner: '',
        fencingToken: 0,
        checkpoint: position,
        hasCheckpoint: true,
        expiresAt: 0,
      });
    } else {
      // Like PostgreSQL: a new fencing token revokes a running holder, whose next
      // checkpoint write fails, so it takes the lease again from the new checkpoint.
      record.checkpoint = position;
      record.hasCheckpoint = true;
      record.fencingToken += 1;
    }
  }

  private current(lease: ProcessorLease): LeaseRecord | undefined {
    const record = this.leases.get(lease.processor);
    return record !== undefined &&
      record.fencingToken === lease.fencingToken &&
      record.owner === lease.owner
      ? record
      : undefined;
  }
}

function toLease(processor: string, record: LeaseRecord): ProcessorLease {
  return {
    processor,
    owner: record.owner,
    fencingToken: record.fencingToken,
    checkpoint: record.checkpoint,
    hasCheckpoint: record.hasCheckpoint,
    expiresAt: new Date(record.expiresAt),
  };
}
