import type { StoredSnapshot } from '../event-storage';

/** The latest snapshot per stream and aggregate type, held as copies. */
export class MemorySnapshots {
  private readonly snapshots = new Map<string, Map<string, StoredSnapshot>>();

  /** Keeps `snapshot`, replacing the stream's previous one of the same aggregate type. */
  save(snapshot: StoredSnapshot): void {
    let byType = this.snapshots.get(snapshot.streamId);
    if (byType === undefined) {
      byType = new Map();
      this.snapshots.set(snapshot.streamId, byType);
    }
    // A copy, so the caller mutating its Buffer cannot change what is stored.
    byType.set(snapshot.aggregateType, { ...snapshot, state: Buffer.from(snapshot.state) });
  }

  /** A copy of the stream's snapshot of `aggregateType`, if any. */
  load(streamId: string, aggregateType: string): StoredSnapshot | undefined {
    const stored = this.snapshots.get(streamId)?.get(aggregateType);
    return stored && { ...stored, state: Buffer.from(stored.state) };
  }
}
