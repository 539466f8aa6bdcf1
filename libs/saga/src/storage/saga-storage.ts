import type { SagaContext } from '../definition/saga-step-execution';
import type { SagaMachineState, SagaStatus } from '../machine/saga-machine.types';

/** One saga instance as stored. */
export interface SagaRecord {
  readonly id: string;
  readonly sagaName: string;
  readonly status: SagaStatus;
  readonly state: SagaMachineState;
  readonly context: SagaContext;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Instance that holds (or last held) the lease. */
  readonly leaseOwner: string | null;
  /** Increased on every takeover; writes carry the token they were given. */
  readonly fencingToken: number;
}

/** A write of a saga's new state, fenced by the writer's lease. */
export interface SagaWrite {
  readonly id: string;
  readonly status: SagaStatus;
  readonly state: SagaMachineState;
  /** The same state as JSON, when the writer has it: backends send it as is. */
  readonly stateJson?: string;
  readonly context: SagaContext;
  readonly owner: string;
  readonly fencingToken: number;
  /** Lease length granted by this write; terminal writes release the lease. */
  readonly leaseTtlMs: number;
}

/** Filter of `list`. */
export interface SagaListQuery {
  status?: SagaStatus | SagaStatus[];
  sagaName?: string;
  /** Default 100. */
  limit?: number;
}

/**
 * Where saga state lives. Every write is fenced: it applies only when the
 * row's fencing token and owner are still the writer's, else it is refused
 * (the saga was taken over) and reported as `false`.
 */
export interface SagaStorage {
  /**
   * Creates the instance, leased to `write.owner` with fencing token 1.
   * Resolves `false`, writing nothing, when a saga with this id exists
   * already (ids chosen by callers make starts idempotent).
   */
  create(write: SagaWrite & { sagaName: string }): Promise<boolean>;
  /** Saves a transition; `false` when the writer's lease was taken over. */
  save(write: SagaWrite): Promise<boolean>;
  /** One instance, if it exists. */
  load(id: string): Promise<SagaRecord | undefined>;
  /** Newest first. */
  list(query?: SagaListQuery): Promise<SagaRecord[]>;
  /**
   * Leases up to `limit` unfinished sagas whose lease expired (and, with
   * `includeOwnedBy`, those held by that owner: our own, from before a restart),
   * bumping their fencing token. Each is returned to exactly one caller.
   */
  claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    includeOwnedBy?: string,
  ): Promise<SagaRecord[]>;
  /** Leases one saga in `status` (e.g. `compensation_failed` for a retry), or undefined. */
  claim(
    id: string,
    status: SagaStatus,
    owner: string,
    leaseTtlMs: number,
  ): Promise<SagaRecord | undefined>;
  /**
   * Sets a saga whose stored state cannot be read aside: status `corrupt`,
   * lease released, state left as it is for an operator to see. Never
   * claimed again. Fenced like `save`: `false` when our claim was taken over.
   */
  quarantine(id: string, owner: string, fencingToken: number): Promise<boolean>;
  /** Extends our leases; returns the ids still ours (the others were taken over). */
  renewLeases(
    owner: string,
    leases: ReadonlyMap<string, number>,
    leaseTtlMs: number,
  ): Promise<string[]>;
  /** Resolves when the storage answers (for health checks). */
  ping(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
