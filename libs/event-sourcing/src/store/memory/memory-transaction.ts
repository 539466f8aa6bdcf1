import { ConcurrencyError } from '../../errors/concurrency.error';
import { TransactionEndedError } from '../../errors/transaction-ended.error';
import type { AppendResult, EventToAppend, ExpectedVersion } from '../event-log';
import type { EventLogTransaction } from '../event-log-transaction';
import { checkExpectedVersion } from '../expected-version-check';
import { checkAppend, toNativeExpected } from './memory-append-arguments';

/** The synchronous operations of the memory log a transaction commits through. */
export interface MemoryTransactionLog {
  versionNow(streamId: string): number;
  appendNow(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): AppendResult;
}

interface BufferedAppend {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  /** Handed to the caller; completed by the commit. */
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
 * checks every expected version again and applies all of them in one
 * synchronous run (no other append can come in between), or none.
 */
export class MemoryTransaction implements EventLogTransaction {
  readonly manager = undefined;
  private readonly appends: BufferedAppend[] = [];
  private readonly streams = new Map<string, TouchedStream>();
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
    return result;
  }

  /** Stores every buffered append, or throws `ConcurrencyError` and stores none. */
  commit(): void {
    this.done = true;
    for (const [streamId, stream] of this.streams) {
      const now = this.log.versionNow(streamId);
      if (stream.checked && now !== stream.base) {
        throw new ConcurrencyError(streamId, stream.base, now);
      }
    }
    const running = new Map<string, number>();
    for (const { streamId, events, result } of this.appends) {
      if (events.length === 0) continue;
      const checked = this.streams.get(streamId)!.checked;
      const expected = checked
        ? (running.get(streamId) ?? this.streams.get(streamId)!.base)
        : 'any';
      const stored = this.log.appendNow(streamId, events, expected);
      running.set(streamId, stored.streamVersion);
      // The caller's result, known only now (an append through the facade returns it).
      result.streamVersion = stored.streamVersion;
      result.positions.push(...stored.positions);
      result.duplicate = stored.duplicate;
    }
  }

  /** The work threw: nothing is stored. */
  abandon(): void {
    this.done = true;
  }
}
