// Reads of the event storage contract cases: whole logs and streams, page by page.
import { DATE_PATHS_METADATA_KEY } from '../../serialization/date-paths';
import type {
  EventStorage,
  ReplayedEvent,
  ReplayStreamOptions,
  StoredEvent,
} from '../../store/event-storage';

export function expectIncreasing(positions: number[]): void {
  for (let i = 1; i < positions.length; i++) {
    expect(positions[i]).toBeGreaterThan(positions[i - 1]);
  }
}

export async function readAllFrom(
  storage: EventStorage,
  fromPosition: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let from = fromPosition; ;) {
    const page = await storage.readAll({ fromPosition: from, limit: 1000 });
    if (page.length === 0) return events;
    events.push(...page);
    from = page[page.length - 1].position + 1;
  }
}

export async function readWholeStream(
  storage: EventStorage,
  streamId: string,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let from = 1; ;) {
    const page = await storage.readStream(streamId, { fromVersion: from, limit: 1000 });
    if (page.length === 0) return events;
    events.push(...page);
    from = page[page.length - 1].version + 1;
  }
}

/**
 * What `EventStore.load` reads: the storage's `replayStream` when it has one,
 * else `readStream` page by page reduced to the same fields. Resolves to the
 * events delivered; `onEvent` sees each one first and may throw.
 */
export async function replay(
  storage: EventStorage,
  streamId: string,
  options: ReplayStreamOptions = {},
  onEvent: (event: ReplayedEvent) => void = () => undefined,
): Promise<ReplayedEvent[]> {
  const delivered: ReplayedEvent[] = [];
  const deliver = (event: ReplayedEvent) => {
    onEvent(event);
    delivered.push(event);
  };
  if (storage.replayStream) {
    await storage.replayStream(streamId, options, deliver);
    return delivered;
  }
  const pageSize = options.pageSize ?? 1000;
  for (let from = options.fromVersion ?? 1; ;) {
    const page = await storage.readStream(streamId, { fromVersion: from, limit: pageSize });
    for (const event of page)
      deliver({ ...event, datePaths: event.metadata[DATE_PATHS_METADATA_KEY] });
    if (page.length < pageSize) return delivered;
    from = page[page.length - 1].version + 1;
  }
}
