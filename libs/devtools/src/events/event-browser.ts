import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_STORAGE } from '@cello/event-sourcing';
import type { EventStorage, StoredEvent } from '@cello/event-sourcing';
import { DEVTOOLS_OPTIONS } from '../devtools-module-options';
import type { DevtoolsModuleOptions } from '../devtools-module-options';

/** An event as the browser shows it: the stored row, payload as stored (no upcasting), time as ISO text. */
export type BrowsedEvent = Omit<StoredEvent, 'recordedAt'> & { readonly recordedAt: string };

/** One page of the browser. */
export interface EventPage {
  readonly events: BrowsedEvent[];
  /** Highest position in the log. */
  readonly head: number;
  /** Pass as `before` for the next (older) page; null at the start of the log. */
  readonly older: number | null;
  /** Stream view: pass as `fromVersion` for the next page; null at the end. */
  readonly nextVersion: number | null;
  /**
   * Global view: the positions this page looked through, newest first. With a
   * type filter the search stops after `maxScan` positions even when it found
   * fewer than `limit` events; `older` then continues below `from`.
   */
  readonly searched: { readonly from: number; readonly to: number } | null;
}

/** What the browser asks for: the global log newest first, or one stream. */
export interface BrowseQuery {
  /** Only positions below this (global view, newest first). */
  readonly before?: number;
  readonly limit: number;
  readonly streamId?: string;
  readonly type?: string;
  /** Only events whose metadata's `correlationId` is this: everything that followed from one request. */
  readonly correlationId?: string;
  /** Stream view: first version. */
  readonly fromVersion?: number;
}

const SCAN_CHUNK = 500;

/**
 * Reads the log for the event browser. The stored rows are shown as they are
 * (not deserialized), so events of unknown or broken types are still visible.
 */
@Injectable()
export class EventBrowser {
  private readonly maxScan: number;

  constructor(
    @Optional() @Inject(EVENT_STORAGE) private readonly storage: EventStorage | undefined,
    @Inject(DEVTOOLS_OPTIONS) options: DevtoolsModuleOptions,
  ) {
    this.maxScan = options.maxScan ?? 20_000;
  }

  /** False when the app does not import `EventSourcingModule`. */
  get available(): boolean {
    return this.storage !== undefined;
  }

  /** One page of the log, or of a stream. */
  async browse(query: BrowseQuery): Promise<EventPage> {
    const storage = this.requireStorage();
    const head = await storage.headPosition();
    if (query.streamId !== undefined) return this.browseStream(storage, query, head);
    const top = Math.min(query.before !== undefined ? query.before - 1 : head, head);
    if (top < 1) return { events: [], head, older: null, nextVersion: null, searched: null };
    // A filter looks through at most maxScan positions, so one request never walks a huge log.
    const filtered = query.type !== undefined || query.correlationId !== undefined;
    const bottom = filtered ? Math.max(1, top - this.maxScan + 1) : 1;
    // The storages filter by type and correlation id in their query (memory: in its reader).
    const events = storage.readBackward
      ? await this.readBackward(storage, query, top, bottom)
      : await this.scanBackward(storage, query, top, bottom);
    const full = events.length >= query.limit;
    const lowest = full ? events[events.length - 1].position : bottom;
    return {
      events,
      head,
      older: lowest > 1 ? lowest : null,
      nextVersion: null,
      searched: { from: lowest, to: top },
    };
  }

  /** The storage filters by type and correlation id itself: only matching events are read. */
  private async readBackward(
    storage: EventStorage,
    query: BrowseQuery,
    top: number,
    bottom: number,
  ): Promise<BrowsedEvent[]> {
    const rows = await storage.readBackward!({
      toPosition: top,
      fromPosition: bottom,
      types: query.type === undefined ? undefined : [query.type],
      correlationId: query.correlationId,
      limit: query.limit,
    });
    return rows.map(toBrowsed);
  }

  /** For storages without readBackward: whole events in chunks, filtered here. */
  private async scanBackward(
    storage: EventStorage,
    query: BrowseQuery,
    top: number,
    bottom: number,
  ): Promise<BrowsedEvent[]> {
    const events: BrowsedEvent[] = [];
    for (let upper = top; upper >= bottom && events.length < query.limit;) {
      const from = Math.max(bottom, upper - SCAN_CHUNK + 1);
      const chunk = await storage.readAll({ fromPosition: from, limit: upper - from + 1 });
      for (let i = chunk.length - 1; i >= 0 && events.length < query.limit; i--) {
        const row = chunk[i];
        if (row.position > upper) continue;
        if (matches(row, query)) events.push(toBrowsed(row));
      }
      upper = from - 1;
    }
    return events;
  }

  private async browseStream(
    storage: EventStorage,
    query: BrowseQuery,
    head: number,
  ): Promise<EventPage> {
    const fromVersion = query.fromVersion ?? 1;
    const rows = await storage.readStream(query.streamId!, {
      fromVersion,
      limit: query.limit + 1,
    });
    const filtered = rows.slice(0, query.limit).filter((row) => matches(row, query));
    const nextVersion = rows.length > query.limit ? rows[query.limit].version : null;
    return { events: filtered.map(toBrowsed), head, older: null, nextVersion, searched: null };
  }

  private requireStorage(): EventStorage {
    if (!this.storage) throw new Error('EventSourcingModule is not imported');
    return this.storage;
  }
}

function matches(row: StoredEvent, query: BrowseQuery): boolean {
  return (
    (query.type === undefined || row.type === query.type) &&
    (query.correlationId === undefined || row.metadata?.correlationId === query.correlationId)
  );
}

function toBrowsed(row: StoredEvent): BrowsedEvent {
  return { ...row, recordedAt: row.recordedAt.toISOString() };
}
