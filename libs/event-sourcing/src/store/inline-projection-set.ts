import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import { DuplicateSubscriberNameError } from '../errors/duplicate-subscriber-name.error';
import { InlineProjectionError } from '../errors/inline-projection.error';
import type { Event } from '../event/event';
import type { AppendResult, EventToAppend } from './event-log';
import type {
  InlineProjection,
  InlineProjectionContext,
  InlineProjectionStatus,
} from './inline-projection';

/** One registered projection and what a rebuild did to it. */
export interface InlineProjectionEntry {
  readonly projection: InlineProjection;
  state: InlineProjectionStatus['state'];
  /** The last position a rebuild finished. */
  rebuiltUpTo: number;
  /** The highest committed position of an append that skipped it while it was not inline. */
  skippedUpTo: number;
  lastError?: string;
  /** The rebuild in progress, joined by a second `rebuild(name)`. */
  rebuild?: Promise<void>;
}

/**
 * The inline projections of one `EventStore`: which ones run with each append,
 * and the gate a rebuild uses to hand a projection back to the appends. Every
 * projected transaction passes the gate and is tracked until it settles, so a
 * rebuild can wait for the transactions in flight (`drain`) and hold new ones
 * while it replays the last events (`shut`).
 */
export class InlineProjectionSet {
  private entries: readonly InlineProjectionEntry[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Set while the gate is shut; resolves when it opens. */
  private closed?: Promise<void>;
  /**
   * The projected transaction the code runs in: appends nested in it pass a
   * shut gate (else they would deadlock), and it collects what to note once committed.
   */
  private readonly within = new AsyncLocalStorage<ProjectedTransaction>();
  /** The highest position a projected transaction committed: a rebuild replays up to it at least. */
  highestCommitted = 0;

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** True inside the work of a projected transaction. */
  get insideTransaction(): boolean {
    return this.within.getStore() !== undefined;
  }

  /** Adds a projection (run inline at once); returns the function that removes it. */
  register(projection: InlineProjection): () => void {
    const existing = this.entries.find((entry) => entry.projection.name === projection.name);
    if (existing) {
      throw new DuplicateSubscriberNameError(
        projection.name,
        existing.projection.constructor.name,
        projection.constructor.name,
      );
    }
    const entry: InlineProjectionEntry = {
      projection,
      state: 'inline',
      rebuiltUpTo: 0,
      skippedUpTo: 0,
    };
    this.entries = [...this.entries, entry];
    return () => {
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /** The registered projection named `name`, or undefined. */
  entry(name: string): InlineProjectionEntry | undefined {
    return this.entries.find((entry) => entry.projection.name === name);
  }

  get names(): string[] {
    return this.entries.map((entry) => entry.projection.name);
  }

  status(): InlineProjectionStatus[] {
    return this.entries.map(({ projection, state, rebuiltUpTo, lastError }) => ({
      name: projection.name,
      state,
      ...(state === 'inline' ? {} : { rebuiltUpTo }),
      ...(lastError !== undefined ? { lastError } : {}),
    }));
  }

  /** Runs a projected transaction through the gate and tracks it until it settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.insideTransaction) while (this.closed) await this.closed;
    const transaction: ProjectedTransaction = { last: 0, skipped: new Set() };
    const running = this.within.run(transaction, async () => {
      const result = await work();
      // Committed: only now are its positions sure to be reached by readAll.
      this.highestCommitted = Math.max(this.highestCommitted, transaction.last);
      for (const entry of transaction.skipped) {
        entry.skippedUpTo = Math.max(entry.skippedUpTo, transaction.last);
      }
      return result;
    });
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return running;
  }

  /** Resolves once every transaction in flight now has settled. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Runs `work` with the gate shut: after the transactions in flight settled, holding new ones. */
  async shut<T>(work: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    let open!: () => void;
    this.closed = new Promise<void>((resolve) => (open = resolve));
    try {
      await this.drain();
      return await work();
    } finally {
      this.closed = undefined;
      open();
    }
  }

  /**
   * Runs the inline projections on the events of one append, in order, inside
   * its transaction; a projection being rebuilt (or whose rebuild failed) is
   * skipped, and the append's last position noted for the rebuild to reach.
   */
  async project(
    streamId: string,
    events: readonly Event[],
    rows: readonly EventToAppend[],
    result: AppendResult,
    manager: EntityManager | undefined,
  ): Promise<void> {
    const entries = this.entries;
    if (result.duplicate || entries.length === 0) return;
    const first = result.streamVersion - events.length + 1;
    const transaction = this.within.getStore();
    if (transaction !== undefined && result.positions.length > 0) {
      transaction.last = Math.max(transaction.last, result.positions[result.positions.length - 1]);
    }
    for (let index = 0; index < events.length; index++) {
      const context: InlineProjectionContext = {
        manager,
        streamId,
        version: first + index,
        type: rows[index].type,
        eventId: rows[index].eventId,
        position: result.positions[index],
        replaying: false,
      };
      for (const entry of entries) {
        if (entry.state !== 'inline') {
          transaction?.skipped.add(entry);
          continue;
        }
        await projectOne(entry.projection, events[index], context);
      }
    }
  }
}

/** What a projected transaction noted, applied when it commits. */
interface ProjectedTransaction {
  /** Its highest position (0 on memory, which numbers events at commit). */
  last: number;
  /** The projections its appends skipped (being rebuilt). */
  readonly skipped: Set<InlineProjectionEntry>;
}

/** Feeds one event to a projection; its error becomes `InlineProjectionError`. */
export async function projectOne(
  projection: InlineProjection,
  event: Event,
  context: InlineProjectionContext,
): Promise<void> {
  try {
    await projection.project(event, context);
  } catch (error) {
    throw new InlineProjectionError(
      projection.name,
      context.type,
      context.streamId,
      context.version,
      error,
    );
  }
}
