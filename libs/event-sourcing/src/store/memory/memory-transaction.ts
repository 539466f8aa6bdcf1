import { ConcurrencyError } from '../../errors/concurrency.error';
import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import { TransactionEndedError } from '../../errors/transaction-ended.error';
import type { AppendResult, EventToAppend, ExpectedVersion } from '../event-log';
import type { EventLogTransaction } from '../event-log-transaction';
import { checkExpectedVersion } from '../expected-version-check';
import { checkAppend, toNativeExpected } from './memory-append-arguments';

/** The synchronous operations of the memory log a transaction commits through. */
export interface MemoryTransactionLog {
  versionNow(streamId: string): number;
  /**
   * Checks `events` against the stored log without writing anything: the
   * earlier append they re-send (its result), undefined when they are new;
   * throws `EventIdConflictError` (or `InvalidAppendError`) as `appendNow` would.
   */
  probeNow(streamId: string, events: readonly EventToAppend[]): AppendResult | undefined;
  appendNow(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): AppendResult;
}

interface BufferedAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  /** Handed to the caller; its positions are filled in by the commit. */
  readonly result: { streamVersion: number; positions: number[]; duplicate: boolean };
}

interface TouchedStream {
  /** The stream's version when the transaction first touched it. */
  readonly base: number;
  /** Its version with the buffered appends. */
  version: number;
  /** True when one of its appends named an expected version: it must not move until the commit. */
  checked: boolean;
}

/**
 * A memory transaction: appends are checked against the stream's version
 * plus what the transaction already buffered, and kept until `commit`, which
 * first checks every expected version and every event id again, then applies
 * all of them in one synchronous run (no other append can come in between),
 * or none.
 */
export class MemoryTransaction implements EventLogTransaction {
  readonly manager = undefined;
  private readonly appends: BufferedAppend[] = [];
  private readonly streams = new Map<string, TouchedStream>();
  /** The event ids of the buffered appends, with their stream and version. */
  private readonly ids = new Map<string, { readonly streamId: string; readonly version: number }>();
  private done = false;

  constructor(private readonly log: MemoryTransactionLog) {}

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    if (this.done) throw new TransactionEndedError(streamId);
    checkAppend(streamId, events);
    toNativeExpected(streamId, expected);
    // A re-send of an append already stored (before the transaction) stays a no-op, as outside one.
    const stored = this.log.probeNow(streamId, events);
    if (stored !== undefined) return stored;
    const buffered = this.bufferedResend(streamId, events);
    if (buffered !== undefined) return buffered;
    let stream = this.streams.get(streamId);
    if (stream === undefined) {
      const version = this.log.versionNow(streamId);
      stream = { base: version, version, checked: false };
      this.streams.set(streamId, stream);
    }
    checkExpectedVersion(streamId, expected, stream.version);
    if (expected !== 'any') stream.checked = true;
    stream.version += events.length;
    const result = { streamVersion: stream.version, positions: [] as number[], duplicate: false };
    this.appends.push({ streamId, events, result });
    events.forEach((event, index) =>
      this.ids.set(event.eventId, {
        streamId,
        version: stream.version - events.length + 1 + index,
      }),
    );
    return result;
  }

  /**
   * Stores every buffered append, or throws (`ConcurrencyError`,
   * `EventIdConflictError`) and stores none: everything that can refuse an
   * append is checked before the first one is applied.
   */
  commit(): void {
    this.done = true;
    for (const [streamId, stream] of this.streams) {
      const now = this.log.versionNow(streamId);
      if (stream.checked && now !== stream.base) {
        throw new ConcurrencyError(streamId, stream.base, now);
      }
    }
    // Ids another writer stored while the work ran: refused here, not half-way through applying.
    const resent = new Set<BufferedAppend>();
    for (const append of this.appends) {
      if (this.log.probeNow(append.streamId, append.events) !== undefined) resent.add(append);
    }
    const running = new Map<string, number>();
    for (const append of this.appends) {
      const { streamId, events, result } = append;
      if (events.length === 0) continue;
      const checked = this.streams.get(streamId)!.checked;
      // Checked streams did not move, so a whole re-send by another writer can only be on an 'any' stream.
      const expected = checked
        ? (running.get(streamId) ?? this.streams.get(streamId)!.base)
        : 'any';
      const applied = this.log.appendNow(streamId, events, expected);
      running.set(streamId, applied.streamVersion);
      // The caller's result, known only now (an append through the facade returns it).
      result.streamVersion = applied.streamVersion;
      result.positions = [...applied.positions];
      result.duplicate = resent.has(append);
    }
  }

  /** The work threw: nothing is stored. */
  abandon(): void {
    this.done = true;
  }

  /**
   * A re-send of events this transaction already buffered for the stream,
   * undefined when the ids are new to it; `EventIdConflictError` when only
   * some are, or they went to another stream (as the stored log answers).
   */
  private bufferedResend(
    streamId: string,
    events: readonly EventToAppend[],
  ): AppendResult | undefined {
    const found = events.map((event) => this.ids.get(event.eventId));
    if (found.every((id) => id === undefined)) return undefined;
    if (found.some((id) => id === undefined || id.streamId !== streamId)) {
      const reused = events.filter((_, index) => found[index] !== undefined);
      throw new EventIdConflictError(
        streamId,
        reused.map((event) => event.eventId),
      );
    }
    const streamVersion = Math.max(...found.map((id) => id!.version));
    return { streamVersion, positions: [], duplicate: true };
  }
}
