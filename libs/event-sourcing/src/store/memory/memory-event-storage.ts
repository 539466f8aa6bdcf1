import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { callNative, native } from '@cello/core/internal';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error';
import type {
  AppendResult,
  EventStorage,
  EventToAppend,
  ExpectedVersion,
  ParkedEvent,
  ProcessorLease,
  ProcessorLeaseOwner,
  ReadAllOptions,
  ReadBackwardOptions,
  ReadStreamOptions,
  ReplayedEvent,
  ReplayStreamOptions,
  StoredEvent,
  StoredSnapshot,
} from '../event-storage';
import type { EventLogTransaction } from '../event-log-transaction';
import { readOption } from '../read-option';
import { checkReadBackwardOptions } from '../read-backward-options';
import { EventBatchEncoder } from './event-batch-encoder';
import { appendError, checkAppend, toNativeExpected } from './memory-append-arguments';
import { MemoryAppendListeners } from './memory-append-listeners';
import { MemoryTransaction } from './memory-transaction';
import { MemoryParkedEvents } from './memory-parked-events';
import { MemoryProcessorLeases } from './memory-processor-leases';
import { MemorySnapshots } from './memory-snapshots';
import { StoredRecordDecoder } from './stored-record-decoder';

/** Options of {@link MemoryEventStorage}. */
export interface MemoryEventStorageOptions {
  /** Bytes per arena chunk of the native log (records larger than that get their own). Default 4 MiB. */
  readonly chunkCapacity?: number;
  /** Records fetched from the native log per boundary crossing when reading. Default 1024. */
  readonly readPageSize?: number;
}

type NativeEventLog = InstanceType<typeof native.NativeEventLog>;

/**
 * Most events per `replayStream` page: keeps a page's JSON text (about 64 KiB
 * for 250-byte events) small enough for V8's young generation.
 */
const REPLAY_PAGE_EVENTS = 256;
/** Words `NativeEventLog.replayPage` writes per record: chunk, offset, type index, schema version, metadata flag. */
const REPLAY_FACTS = 5;
// What the native append did.
const OUTCOME_DUPLICATE = 1;
const OUTCOME_CONFLICT = 2;
/** An expected version no stream reaches: an append expecting it checks everything and writes nothing. */
const UNREACHABLE_VERSION = Number.MAX_SAFE_INTEGER;

/**
 * The in-memory backend: events live as encoded bytes in the Rust event log,
 * off the V8 heap, with the same rules as PostgreSQL (expected version,
 * contiguous versions, idempotent re-sends, all-or-nothing appends). One
 * boundary crossing per append and per read page; reads decode records in
 * place from Buffers over Rust memory. Leases, checkpoints, parked events and
 * snapshots are small and cold, so they stay in plain maps here.
 */
export class MemoryEventStorage implements EventStorage {
  private readonly logger = new Logger(MemoryEventStorage.name);
  private log: NativeEventLog | undefined;
  /** Views of the native arena chunks, made once each (see `NativeEventLog.chunk`). */
  private chunks: Buffer[] = [];
  private readonly encoder = new EventBatchEncoder();
  private readonly decoder = new StoredRecordDecoder();
  private readonly page: Uint32Array;
  /**
   * `replayStream`'s own page (its callbacks may call other reads between two
   * pages): the record count, then REPLAY_FACTS words a record, and positions.
   */
  private readonly replayFacts = new Uint32Array(1 + REPLAY_FACTS * REPLAY_PAGE_EVENTS);
  private readonly replayPositions = new Float64Array(REPLAY_PAGE_EVENTS);
  /** Where the native append writes its numbers (grown for re-sends of big batches). */
  private appendResult = new Float64Array(258);
  /** The last position, kept here so `headPosition` needs no crossing (only this object appends). */
  private head = 0;
  private readonly snapshots = new MemorySnapshots();
  private readonly leases = new MemoryProcessorLeases();
  private readonly parked = new MemoryParkedEvents();
  private readonly listeners = new MemoryAppendListeners(this.logger);
  /**
   * Transactions run one at a time, as the stream locks of SQL order them: an
   * inline projection then sees the version its event is stored at. One started
   * inside another's work (an append within a transaction) runs at once.
   */
  private transactions: Promise<unknown> = Promise.resolve();
  private readonly inTransaction = new AsyncLocalStorage<true>();

  constructor(options: MemoryEventStorageOptions = {}) {
    this.log = new native.NativeEventLog(options.chunkCapacity);
    this.page = new Uint32Array(2 * Math.max(1, options.readPageSize ?? 1024));
  }

  /** Nothing to create: the log is ready when constructed. */
  async init(): Promise<void> {
    this.open();
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    return this.appendNow(streamId, events, expected);
  }

  /**
   * Buffers the appends of `work` and, once it resolved, stores all of them
   * in one synchronous run after checking every expected version again; none
   * when it throws or a version moved.
   */
  transaction<T>(work: (tx: EventLogTransaction) => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return this.runTransaction(work);
    const turn = this.transactions.then(() =>
      this.inTransaction.run(true, () => this.runTransaction(work)),
    );
    this.transactions = turn.catch(() => undefined);
    return turn;
  }

  private async runTransaction<T>(work: (tx: EventLogTransaction) => Promise<T>): Promise<T> {
    const log = this.open();
    const tx = new MemoryTransaction({
      versionNow: (streamId) => log.streamVersion(streamId),
      probeNow: (streamId, events) => this.probeNow(streamId, events),
      appendNow: (streamId, events, expected) => this.appendNow(streamId, events, expected),
    });
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      tx.abandon();
      throw error;
    }
    tx.commit();
    return result;
  }

  /**
   * A dry run of an append: the batch and its ids are checked as `appendNow`
   * checks them, but with an expected version no stream can have, so the
   * native log writes nothing. Returns the stored append the events re-send,
   * or undefined when they are new.
   */
  private probeNow(streamId: string, events: readonly EventToAppend[]): AppendResult | undefined {
    const outcome = this.appendNative(streamId, UNREACHABLE_VERSION, events);
    if (outcome === OUTCOME_DUPLICATE) return this.duplicateResult(events.length);
    if (outcome !== OUTCOME_CONFLICT) {
      throw new Error(`the native log appended to "${streamId}" on a dry run`);
    }
    return undefined;
  }

  /** The append itself, synchronous: a transaction's commit runs several with nothing in between. */
  private appendNow(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): AppendResult {
    this.open();
    checkAppend(streamId, events);
    const outcome = this.appendNative(streamId, toNativeExpected(streamId, expected), events);
    const out = this.appendResult;
    if (outcome === OUTCOME_CONFLICT) {
      throw new ConcurrencyError(streamId, expected, out[0]);
    }
    if (outcome === OUTCOME_DUPLICATE) return this.duplicateResult(events.length);
    const positions = new Array<number>(events.length);
    for (let i = 0; i < positions.length; i++) positions[i] = out[1] + i;
    this.head = positions[positions.length - 1];
    this.listeners.schedule();
    return { streamVersion: out[0], positions, duplicate: false };
  }

  /** One native append; its figures are left in `appendResult` (version, first position, re-sent positions). */
  private appendNative(
    streamId: string,
    nativeExpected: number,
    events: readonly EventToAppend[],
  ): number {
    const log = this.open();
    const batch = this.encoder.encode(events);
    if (this.appendResult.length < events.length + 2) {
      this.appendResult = new Float64Array(events.length + 2);
    }
    try {
      return log.append(streamId, nativeExpected, Date.now(), batch, this.appendResult);
    } catch (error) {
      throw appendError(streamId, error);
    }
  }

  /** The stored append that `count` events re-send, from `appendResult`. */
  private duplicateResult(count: number): AppendResult {
    const out = this.appendResult;
    return {
      streamVersion: out[0],
      positions: Array.from(out.subarray(2, 2 + count)),
      duplicate: true,
    };
  }

  async streamVersion(streamId: string): Promise<number> {
    return this.open().streamVersion(streamId);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const log = this.open();
    return this.readPages(
      readOption('fromVersion', options.fromVersion, 1),
      readOption('limit', options.limit, Number.POSITIVE_INFINITY),
      (from, out) => log.readStream(streamId, from, out),
      (event) => event.version,
      streamId,
    );
  }

  /**
   * `EventStore.load`'s read: one native crossing and one `JSON.parse` per
   * page (the page's event ids and payloads come as one JSON array, the rest
   * in two typed arrays), each event handed over at once without metadata or
   * Date. A page that does not parse (damaged bytes) is handed over with
   * payloads as text, so the serializer names the event that is not JSON.
   */
  async replayStream(
    streamId: string,
    options: ReplayStreamOptions,
    onEvent: (event: ReplayedEvent) => void,
  ): Promise<void> {
    const log = this.open();
    let from = readOption('fromVersion', options.fromVersion, 1);
    const pageSize = Math.min(
      REPLAY_PAGE_EVENTS,
      Math.max(1, readOption('pageSize', options.pageSize, REPLAY_PAGE_EVENTS)),
    );
    const facts = this.replayFacts.subarray(0, 1 + REPLAY_FACTS * pageSize);
    const positions = this.replayPositions.subarray(0, pageSize);
    for (;;) {
      const text = callNative(() => log.replayPage(streamId, from, facts, positions));
      const count = facts[0];
      const page = parsePage(text, count);
      for (let i = 0; i < count; i++) {
        const at = 1 + REPLAY_FACTS * i;
        onEvent({
          position: positions[i],
          version: from + i,
          eventId: page ? (page[2 * i] as string) : this.replayedText(facts, at, 'id'),
          type:
            this.decoder.cachedType(facts[at + 2]) ??
            this.decoder.typeAt(this.chunk(facts[at]), facts[at + 1]),
          schemaVersion: facts[at + 3],
          data: page ? page[2 * i + 1] : this.replayedText(facts, at, 'data'),
          datePaths:
            facts[at + 4] === 0
              ? undefined
              : this.decoder.datePathsAt(this.chunk(facts[at]), facts[at + 1]),
        });
      }
      if (count < pageSize) return;
      from += count;
    }
  }

  /** The event id or payload text of a replay page's record at `facts[at]`, read from its chunk. */
  private replayedText(facts: Uint32Array, at: number, field: 'id' | 'data'): string {
    const chunk = this.chunk(facts[at]);
    return field === 'id'
      ? this.decoder.eventIdAt(chunk, facts[at + 1])
      : this.decoder.dataTextAt(chunk, facts[at + 1]);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const log = this.open();
    return this.readPages(
      readOption('fromPosition', options.fromPosition, 0),
      readOption('limit', options.limit, Number.POSITIVE_INFINITY),
      (from, out) => log.readAll(from, out),
      (event) => event.position,
    );
  }

  /**
   * Reads windows of positions from the top down; a record of another type is
   * skipped on its type name, before its payload and metadata are parsed (a
   * correlation filter needs the metadata parsed).
   */
  async readBackward(options: ReadBackwardOptions): Promise<StoredEvent[]> {
    const log = this.open();
    const { toPosition, fromPosition, types, correlationId, limit } =
      checkReadBackwardOptions(options);
    const wanted = types === undefined ? undefined : new Set(types);
    const events: StoredEvent[] = [];
    const window = this.page.length / 2;
    // Positions are 1..head with no holes in memory.
    let upper = Math.min(toPosition, this.head);
    while (upper >= fromPosition && events.length < limit) {
      const from = Math.max(fromPosition, upper - window + 1);
      const out = this.page.subarray(0, 2 * (upper - from + 1));
      const count = log.readAll(from, out);
      for (let i = count - 1; i >= 0 && events.length < limit; i--) {
        const chunk = this.chunk(out[2 * i]);
        if (wanted && !wanted.has(this.decoder.typeAt(chunk, out[2 * i + 1]))) continue;
        const event = this.decoder.decode(chunk, out[2 * i + 1]);
        if (correlationId !== undefined && event.metadata?.correlationId !== correlationId)
          continue;
        events.push(event);
      }
      upper = from - 1;
    }
    return events;
  }

  /** Everything appended is committed at once in memory: the head is the last position. */
  async headPosition(): Promise<number> {
    this.open();
    return this.head;
  }

  async saveSnapshot(snapshot: StoredSnapshot): Promise<void> {
    this.open();
    this.snapshots.save(snapshot);
  }

  async loadSnapshot(streamId: string, aggregateType: string): Promise<StoredSnapshot | undefined> {
    this.open();
    return this.snapshots.load(streamId, aggregateType);
  }

  async acquireLease(
    processor: string,
    owner: string,
    ttlMs: number,
  ): Promise<ProcessorLease | undefined> {
    this.open();
    return this.leases.acquire(processor, owner, ttlMs);
  }

  async renewLease(lease: ProcessorLease, ttlMs: number): Promise<ProcessorLease | undefined> {
    this.open();
    return this.leases.renew(lease, ttlMs);
  }

  async readLease(processor: string): Promise<ProcessorLeaseOwner | undefined> {
    this.open();
    return this.leases.read(processor);
  }

  async releaseLease(lease: ProcessorLease): Promise<void> {
    this.open();
    this.leases.release(lease);
  }

  async storeCheckpoint(lease: ProcessorLease, position: number): Promise<boolean> {
    this.open();
    return this.leases.storeCheckpoint(lease, position);
  }

  async readCheckpoint(processor: string): Promise<number> {
    this.open();
    return this.leases.checkpoint(processor);
  }

  async resetCheckpoint(processor: string, position: number): Promise<void> {
    this.open();
    this.leases.resetCheckpoint(processor, position);
  }

  async parkEvent(
    processor: string,
    event: StoredEvent,
    error: string,
    attempts: number,
  ): Promise<void> {
    this.open();
    this.parked.park(processor, event, error, attempts);
  }

  async listParked(processor?: string): Promise<ParkedEvent[]> {
    this.open();
    return this.parked.list(processor);
  }

  async removeParked(id: number): Promise<void> {
    this.open();
    this.parked.remove(id);
  }

  onAppended(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** Memory is always reachable while open. */
  async ping(): Promise<void> {
    this.open();
  }

  /** Frees the native log; later calls fail with `EventStoreUnavailableError`. */
  async close(): Promise<void> {
    this.listeners.clear();
    this.log?.dispose();
    this.log = undefined;
    this.chunks = [];
  }

  private open(): NativeEventLog {
    if (this.log === undefined) {
      throw new EventStoreUnavailableError('the in-memory event storage was closed');
    }
    return this.log;
  }

  /**
   * Reads up to `limit` records from `from`, one native crossing per page of
   * `readPageSize`, decoding each record in place from its chunk.
   */
  private readPages(
    from: number,
    wanted: number,
    readPage: (from: number, out: Uint32Array) => number,
    next: (event: StoredEvent) => number,
    streamId?: string,
  ): StoredEvent[] {
    const events: StoredEvent[] = [];
    const pageSize = this.page.length / 2;
    let cursor = from;
    while (events.length < wanted) {
      const size = Math.min(pageSize, wanted - events.length);
      const out = size === pageSize ? this.page : this.page.subarray(0, 2 * size);
      const count = readPage(cursor, out);
      for (let i = 0; i < count; i++) {
        events.push(this.decoder.decode(this.chunk(out[2 * i]), out[2 * i + 1], streamId));
      }
      if (count < size) break;
      cursor = next(events[events.length - 1]) + 1;
    }
    return events;
  }

  private chunk(index: number): Buffer {
    let chunk = this.chunks[index];
    if (chunk === undefined) {
      chunk = callNative(() => this.open().chunk(index));
      this.chunks[index] = chunk;
    }
    return chunk;
  }
}

/**
 * The `[id, data, ...]` array of a replay page of `count` records, or
 * undefined when damaged bytes made it something else.
 */
function parsePage(text: string, count: number): unknown[] | undefined {
  let page: unknown;
  try {
    page = JSON.parse(text);
  } catch {
    return undefined;
  }
  return Array.isArray(page) && page.length === 2 * count ? page : undefined;
}
