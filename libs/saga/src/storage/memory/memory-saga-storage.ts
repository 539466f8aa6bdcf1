import { findUnstorableJsonValue, formatJsonValuePath } from '@cello/core/internal';
import { SagaInvalidInputError } from '../../errors/saga-invalid-input.error';
import type { SagaStatus } from '../../machine/saga-machine.types';
import { TERMINAL_SAGA_STATUSES } from '../../machine/saga-machine.types';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from '../saga-storage';

interface Row extends SagaRecord {
  leaseExpiresAt: number;
}

interface Incarnation {
  instanceId: string;
  beats: number;
  expiresAt: number;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Refuses what PostgreSQL and MySQL would refuse, so tests on memory meet the same errors. */
function checkStorable(write: SagaWrite): void {
  const problem = findUnstorableJsonValue(write.context);
  if (problem) {
    throw new SagaInvalidInputError(
      write.id,
      `${formatJsonValuePath('context', problem.path)} ${problem.reason}`,
    );
  }
}

/** Saga storage in process memory: for tests and single-process apps that accept losing sagas on exit. */
export class MemorySagaStorage implements SagaStorage {
  private readonly rows = new Map<string, Row>();
  private readonly incarnations = new Map<string, Incarnation>();

  async create(write: SagaWrite & { sagaName: string; incarnation?: string }): Promise<boolean> {
    checkStorable(write);
    if (this.rows.has(write.id)) return false;
    const now = new Date();
    this.rows.set(write.id, {
      id: write.id,
      sagaName: write.sagaName,
      status: write.status,
      state: copy(write.state),
      context: copy(write.context),
      createdAt: now,
      updatedAt: now,
      leaseOwner: write.owner,
      leaseIncarnation: write.incarnation ?? null,
      fencingToken: 1,
      leaseExpiresAt: Date.now() + write.leaseTtlMs,
    });
    return true;
  }

  async save(write: SagaWrite): Promise<boolean> {
    checkStorable(write);
    const row = this.rows.get(write.id);
    if (!row || row.fencingToken !== write.fencingToken || row.leaseOwner !== write.owner) {
      return false;
    }
    const terminal = TERMINAL_SAGA_STATUSES.includes(write.status);
    this.rows.set(write.id, {
      ...row,
      status: write.status,
      state: copy(write.state),
      context: copy(write.context),
      updatedAt: new Date(),
      leaseExpiresAt: terminal ? 0 : Date.now() + write.leaseTtlMs,
    });
    return true;
  }

  async load(id: string): Promise<SagaRecord | undefined> {
    const row = this.rows.get(id);
    return row && this.record(row);
  }

  async list(query: SagaListQuery = {}): Promise<SagaRecord[]> {
    const statuses = query.status === undefined ? undefined : [query.status].flat();
    return [...this.rows.values()]
      .filter((r) => !statuses || statuses.includes(r.status))
      .filter((r) => !query.sagaName || r.sagaName === query.sagaName)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, query.limit ?? 100)
      .map((r) => this.record(r));
  }

  async claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    claimer: SagaClaimer = {},
  ): Promise<SagaRecord[]> {
    const now = Date.now();
    const busy = new Set(claimer.busy);
    const claimed: SagaRecord[] = [];
    for (const row of this.rows.values()) {
      if (claimed.length >= limit) break;
      if (row.status !== 'running' && row.status !== 'compensating') continue;
      if (busy.has(row.id)) continue;
      if (row.leaseExpiresAt >= now && !this.provenGone(row.leaseIncarnation, now)) continue;
      claimed.push(this.take(row, owner, leaseTtlMs, claimer.incarnation));
    }
    return claimed;
  }

  async claim(
    id: string,
    status: SagaStatus,
    owner: string,
    leaseTtlMs: number,
    incarnation?: string,
  ): Promise<SagaRecord | undefined> {
    const row = this.rows.get(id);
    return row && row.status === status
      ? this.take(row, owner, leaseTtlMs, incarnation)
      : undefined;
  }

  async heartbeat(instanceId: string, incarnation: string, ttlMs: number): Promise<SagaHeartbeat> {
    const now = Date.now();
    const own = this.incarnations.get(incarnation);
    let expired = false;
    if (!own) this.incarnations.set(incarnation, { instanceId, beats: 1, expiresAt: now + ttlMs });
    else if (own.expiresAt < now) expired = true;
    else Object.assign(own, { beats: own.beats + 1, expiresAt: now + ttlMs });
    const others = [...this.incarnations]
      .filter(
        ([key, i]) => key !== incarnation && i.instanceId === instanceId && i.expiresAt >= now,
      )
      .map(([key, i]) => ({ incarnation: key, beats: i.beats }));
    return { expired, others };
  }

  async retireIncarnation(incarnation: string): Promise<void> {
    const own = this.incarnations.get(incarnation);
    if (own) own.expiresAt = Date.now() - 1;
  }

  async quarantine(id: string, owner: string, fencingToken: number): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.fencingToken !== fencingToken || row.leaseOwner !== owner) return false;
    this.rows.set(id, { ...row, status: 'corrupt', updatedAt: new Date(), leaseExpiresAt: 0 });
    return true;
  }

  async renewLeases(
    owner: string,
    leases: ReadonlyMap<string, number>,
    leaseTtlMs: number,
  ): Promise<string[]> {
    const held: string[] = [];
    for (const [id, token] of leases) {
      const row = this.rows.get(id);
      if (row && row.leaseOwner === owner && row.fencingToken === token) {
        row.leaseExpiresAt = Date.now() + leaseTtlMs;
        held.push(id);
      }
    }
    return held;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  /** The lease's process stopped beating or retired; a process that never beat proves nothing. */
  private provenGone(incarnation: string | null, now: number): boolean {
    const beat = incarnation === null ? undefined : this.incarnations.get(incarnation);
    return beat !== undefined && beat.expiresAt < now;
  }

  private take(row: Row, owner: string, leaseTtlMs: number, incarnation?: string): SagaRecord {
    const next: Row = {
      ...row,
      leaseOwner: owner,
      leaseIncarnation: incarnation ?? null,
      fencingToken: row.fencingToken + 1,
      leaseExpiresAt: Date.now() + leaseTtlMs,
    };
    this.rows.set(row.id, next);
    return this.record(next);
  }

  private record(row: Row): SagaRecord {
    const { leaseExpiresAt: _ignored, ...record } = row;
    return copy(record);
  }
}
