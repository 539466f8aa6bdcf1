import { historyReplayer, type Aggregate } from '../aggregate/aggregate';
import type { RecordedEvent } from '../event/recorded-event';
import type { EventSerializer } from '../serialization/event-serializer';
import type { StreamEventsOptions } from './append-options';
import type { EventStorage } from './event-storage';

/** What `EventStore.load` replays an aggregate with. */
export interface AggregateReplaySource {
  readonly storage: EventStorage;
  readonly serializer: EventSerializer;
  readonly readPageSize: number;
  /** The facade's paged reader, for storages without a streaming replay. */
  streamEvents(streamId: string, options: StreamEventsOptions): AsyncIterable<RecordedEvent>;
}

/**
 * Feeds the aggregate the events of stream `id` from `fromVersion`: through
 * the storage's streaming replay when it has one (no metadata, no dates, no
 * page held, no per-event promise), else `streamEvents`' pages.
 */
export async function replayAggregate(
  source: AggregateReplaySource,
  aggregate: Aggregate,
  id: string,
  fromVersion: number,
): Promise<void> {
  const { storage, serializer } = source;
  if (!storage.replayStream) {
    for await (const recorded of source.streamEvents(id, { fromVersion })) {
      aggregate.loadFromHistory([recorded.event]);
    }
    return;
  }
  const deserialize = serializer.replayDeserializer(id);
  const feed = historyReplayer(aggregate);
  await storage.replayStream(id, { fromVersion, pageSize: source.readPageSize }, (replayed) =>
    feed(deserialize(replayed)),
  );
}

/** Feeds the aggregate versions `fromVersion`..`toVersion` of stream `id`, in bounded pages. */
export async function replayAggregateUpTo(
  source: AggregateReplaySource,
  aggregate: Aggregate,
  id: string,
  fromVersion: number,
  toVersion: number,
): Promise<void> {
  let next = fromVersion;
  while (next <= toVersion) {
    const limit = Math.min(source.readPageSize, toVersion - next + 1);
    const page = await source.storage.readStream(id, { fromVersion: next, limit });
    for (const row of page) aggregate.loadFromHistory([source.serializer.deserialize(row).event]);
    if (page.length < limit) return;
    next = page[page.length - 1].version + 1;
  }
}
