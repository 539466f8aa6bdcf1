import type { StorageLifecycle } from './storage-lifecycle';

/** An aggregate's state at a stream version, compressed by the native core. */
export interface StoredSnapshot {
  readonly streamId: string;
  /** The aggregate's registered type name. */
  readonly aggregateType: string;
  /** The stream version the state reflects. */
  readonly version: number;
  /** Schema version of the aggregate's state; a snapshot of another version is ignored. */
  readonly schemaVersion: number;
  /** The encoded (compressed) state. */
  readonly state: Buffer;
  readonly createdAt: Date;
}

/** The snapshot part of a storage: the newest snapshot per stream and aggregate type. */
export interface SnapshotStore extends StorageLifecycle {
  /** Stores a snapshot, replacing an older one of the same stream and aggregate type. */
  saveSnapshot(snapshot: StoredSnapshot): Promise<void>;

  /** The newest snapshot of the stream for that aggregate type, if any. */
  loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined>;
}
