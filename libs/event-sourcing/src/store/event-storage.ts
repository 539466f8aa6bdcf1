/**
 * The contract every event-store backend implements (memory in Rust, PostgreSQL,
 * MySQL). The injectable `EventStore` facade does serialization, upcasting,
 * aggregates and snapshots policy on top of it; a backend only stores and
 * reads bytes and rows, with the guarantees written on each method.
 *
 * The contract is split into an event log, a snapshot store and a processor
 * store, each with the same lifecycle, so a custom storage implements the
 * parts it needs; `EventStorage` is all three, what the facade and the module
 * use. One contract test suite (`testing/event-storage-contract.ts`) runs the
 * same cases against every backend.
 */

import type { EventLog } from './event-log';
import type { ProcessorStore } from './processor-store';
import type { SnapshotStore } from './snapshot-store';

export type * from './event-log';
export type * from './event-log-transaction';
export type * from './processor-store';
export type * from './snapshot-store';
export type * from './storage-lifecycle';

/**
 * The backend contract under `EventStore`: stores serialized events, snapshots,
 * checkpoints and leases. Memory, PostgreSQL and MySQL implement it; pass your
 * own as `storage` (the `@cello/event-sourcing/testing` contract suite checks it).
 */
export interface EventStorage extends EventLog, SnapshotStore, ProcessorStore {}
