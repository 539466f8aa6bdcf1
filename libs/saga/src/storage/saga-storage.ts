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
  /** The process (incarnation of `leaseOwner`) that holds the lease; null for rows of older versions. */
  readonly leaseIncarnation: string | null;
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

/** Who claims sagas: one process (incarnation) of an instance. */
export interface SagaClaimer {
  /** Random per process: tells a restarted instance from its predecessor with the same `instanceId`. */
  readonly incarnation?: string;
  /** Sagas the claimer drives itself: never claimed, even with an expired lease. */
  readonly busy?: readonly string[];
}

/** Another live-looking process of the same `instanceId`, as its heartbeat row shows it. */
export interface SagaIncarnationBeat {
  readonly incarnation: string;
  /** Heartbeats so far: a number that grows only while that process is alive. */
  readonly beats: number;
}

/** What a heartbeat found. */
export interface SagaHeartbeat {
  /**
   * Our own heartbeat had lapsed (another instance may already treat us as
   * dead and take our leases): the beat was refused.
   */
  readonly expired: boolean;
  /** Other incarnations of the same `instanceId` whose heartbeat has not lapsed. */
  readonly others: SagaIncarnationBeat[];
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
  create(write: SagaWrite & { sagaName: string; incarnation?: string }): Promise<boolean>;
  /** Saves a transition; `false` when the writer's lease was taken over. */
  save(write: SagaWrite): Promise<boolean>;
  /** One instance, if it exists. */
  load(id: string): Promise<SagaRecord | undefined>;
  /** Newest first. */
  list(query?: SagaListQuery): Promise<SagaRecord[]>;
  /**
   * Leases up to `limit` unfinished sagas that are abandoned, bumping their
   * fencing token; each is returned to exactly one caller. Abandoned: the
   * lease expired, or the process holding it is proven gone (its incarnation's
   * heartbeat lapsed or it retired). A live lease is never taken, whoever
   * holds it (the same `instanceId` too), nor a saga in `claimer.busy`.
   */
  claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    claimer?: SagaClaimer,
  ): Promise<SagaRecord[]>;
  /** Leases one saga in `status` (e.g. `compensation_failed` for a retry), or undefined. */
  claim(
    id: string,
    status: SagaStatus,
    owner: string,
    leaseTtlMs: number,
    incarnation?: string,
  ): Promise<SagaRecord | undefined>;
  /**
   * Sets a saga whose stored state cannot be read aside: status `corrupt`,
   * lease released, state left as it is for an operator to see. Never
   * claimed again. Fenced like `save`: `false` when our claim was taken over.
   */
  quarantine(id: string, owner: string, fencingToken: number): Promise<boolean>;
  /**
   * Registers or extends this process's heartbeat for `ttlMs`, and lists the
   * other incarnations of `instanceId` whose heartbeat has not lapsed. A lapsed
   * heartbeat is never revived: the beat reports `expired` instead.
   */
  heartbeat(instanceId: string, incarnation: string, ttlMs: number): Promise<SagaHeartbeat>;
  /** Marks this process as gone (graceful stop): its leases may be taken at once. */
  retireIncarnation(incarnation: string): Promise<void>;
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
