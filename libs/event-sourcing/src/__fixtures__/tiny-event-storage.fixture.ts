// A deliberately small EventStorage for unit tests of the facade (no backend under test here).
import { ConcurrencyError } from '../errors/concurrency.error';
import type {
  AppendResult,
  EventStorage,
  EventToAppend,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StoredSnapshot,
} from '../store/event-storage';

export class TinyEventStorage implements EventStorage {
  readonly log: StoredEvent[] = [];
  readonly snapshots = new Map<string, StoredSnapshot>();
  readonly reads: ReadStreamOptions[] = [];
  initCalls = 0;
  closeCalls = 0;

  async init(): Promise<void> {
    this.initCalls++;
  }
  async close(): Promise<void> {
    this.closeCalls++;
  }
  async ping(): Promise<void> {}

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const first = this.log.find((row) => row.eventId === events[0].eventId);
    if (first) {
      const rows = events.map((event) => this.log.find((row) => row.eventId === event.eventId)!);
      return {
        streamVersion: rows[rows.length - 1].version,
        positions: rows.map((row) => row.position),
        duplicate: true,
      };
    }
    const actual = await this.streamVersion(streamId);
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && actual === 0) ||
      (expected === 'stream_exists' && actual > 0) ||
      expected === actual;
    if (!ok) throw new ConcurrencyError(streamId, expected, actual);
    const positions = events.map((event, index) => {
      const row: StoredEvent = {
        position: this.log.length + 1,
        streamId,
        version: actual + index + 1,
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: JSON.parse(event.data),
        metadata: JSON.parse(event.metadata) as Record<string, unknown>,
        recordedAt: new Date(),
      };
      this.log.push(row);
      return row.position;
    });
    return { streamVersion: actual + events.length, positions, duplicate: false };
  }

  async streamVersion(streamId: string): Promise<number> {
    return this.log.filter((row) => row.streamId === streamId).length;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.reads.push(options);
    const from = options.fromVersion ?? 1;
    return this.log
      .filter((row) => row.streamId === streamId && row.version >= from)
      .slice(0, options.limit ?? Infinity);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.log
      .filter((row) => row.position >= (options.fromPosition ?? 0))
      .slice(0, options.limit ?? Infinity);
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    this.snapshots.set(`${snapshot.aggregateType}/${snapshot.streamId}`, snapshot);
  }

  async loadSnapshot(streamId: string, aggregateType: string) {
    return this.snapshots.get(`${aggregateType}/${streamId}`);
  }

  async acquireLease(): Promise<undefined> {
    return undefined;
  }
  async renewLease(): Promise<undefined> {
    return undefined;
  }
  async releaseLease(): Promise<void> {}
  async storeCheckpoint(): Promise<boolean> {
    return false;
  }
  async resetCheckpoint(): Promise<void> {}
  async parkEvent(): Promise<void> {}
  async listParked() {
    return [];
  }
  async removeParked(): Promise<void> {}
  onAppended(): () => void {
    return () => undefined;
  }
}
