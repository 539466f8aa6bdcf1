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
}

export interface BrowseQuery {
  /** Only positions below this (global view, newest first). */
  readonly before?: number;
  readonly limit: number;
  readonly streamId?: string;
  readonly type?: string;
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

  async browse(query: BrowseQuery): Promise<EventPage> {
    const storage = this.requireStorage();
    const head = await storage.headPosition();
    if (query.streamId !== undefined) return this.browseStream(storage, query, head);
    // Newest first, scanning backwards in chunks; a type filter is applied as we go,
    // bounded by maxScan so one request never walks a huge log.
    const events: BrowsedEvent[] = [];
    let upper = Math.min(query.before !== undefined ? query.before - 1 : head, head);
    let scanned = 0;
    while (upper >= 1 && events.length < query.limit && scanned < this.maxScan) {
      const from = Math.max(1, upper - SCAN_CHUNK + 1);
      const chunk = await storage.readAll({ fromPosition: from, limit: upper - from + 1 });
      scanned += upper - from + 1;
      for (let i = chunk.length - 1; i >= 0 && events.length < query.limit; i--) {
        const row = chunk[i];
        if (row.position > upper) continue;
        if (query.type === undefined || row.type === query.type) events.push(toBrowsed(row));
      }
      upper = events.length >= query.limit ? events[events.length - 1].position - 1 : from - 1;
    }
    return { events, head, older: upper >= 1 ? upper + 1 : null, nextVersion: null };
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
    const filtered = rows
      .slice(0, query.limit)
      .filter((row) => query.type === undefined || row.type === query.type);
    const nextVersion = rows.length > query.limit ? rows[query.limit].version : null;
    return { events: filtered.map(toBrowsed), head, older: null, nextVersion };
  }

  private requireStorage(): EventStorage {
    if (!this.storage) throw new Error('EventSourcingModule is not imported');
    return this.storage;
  }
}

function toBrowsed(row: StoredEvent): BrowsedEvent {
  return { ...row, recordedAt: row.recordedAt.toISOString() };
}
