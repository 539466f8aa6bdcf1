import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { Aggregate } from '@cello/event-sourcing/aggregate/aggregate';
import { AggregateRoot } from '@cello/event-sourcing/decorators/aggregate-root.decorator';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { EventSerializationError } from '@cello/event-sourcing/errors/event-serialization.error';
import { Event } from '@cello/event-sourcing/event/event';
import { EventRegistry } from '@cello/event-sourcing/event/event-registry';
import { EventSerializer } from '@cello/event-sourcing/serialization/event-serializer';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';

/** Schema 2: schema 1 stored `{ text }`; the upcaster below renames it. */
@EventType('NoteWritten', { schemaVersion: 2 })
class NoteWritten extends Event {
  constructor(
    readonly title: string,
    readonly at: Date,
  ) {
    super();
  }
}

@EventType('NoteTagged')
class NoteTagged extends Event {
  constructor(readonly tag: string) {
    super();
  }
}

interface Entry {
  kind: string;
  text: string;
  isDate: boolean;
  eventId: string;
  version: number;
}

@AggregateRoot({ type: 'Journal' })
class Journal extends Aggregate {
  entries: Entry[] = [];

  @EventHandler(NoteWritten)
  onWritten(event: NoteWritten): void {
    this.record(event, event.title, event.at instanceof Date);
  }

  @EventHandler(NoteTagged)
  onTagged(event: NoteTagged): void {
    this.record(event, event.tag, false);
  }

  private record(event: Event, text: string, isDate: boolean): void {
    const kind = event.constructor.name;
    // The version before this event is applied: what a handler sees mid-replay.
    this.entries.push({ kind, text, isDate, eventId: event.eventId, version: this.version });
  }
}

/** Counts what goes through its own `loadFromHistory`. */
@AggregateRoot({ type: 'CountingJournal' })
class CountingJournal extends Journal {
  seenThroughOverride = 0;

  override loadFromHistory(events: Iterable<Event>): void {
    for (const event of events) {
      this.seenThroughOverride += 1;
      super.loadFromHistory([event]);
    }
  }
}

const storages: MemoryEventStorage[] = [];
afterEach(async () => {
  await Promise.all(storages.splice(0).map((storage) => storage.close()));
});

function setup(options: { chunkCapacity?: number } = {}) {
  const storage = new MemoryEventStorage(options);
  storages.push(storage);
  const registry = new EventRegistry();
  registry.registerUpcaster({
    type: NoteWritten,
    fromVersion: 1,
    upcast: (data) => {
      const { text, ...rest } = data as { text: string };
      return { ...rest, title: `upcast ${text}`, at: '2026-01-02T03:04:05.006Z' };
    },
  });
  const store = new EventStore(storage, new EventSerializer(registry, {}), registry, {});
  return { storage, store };
}

/** A schema-1 NoteWritten as it was stored before the class moved to schema 2. */
function oldNote(text: string): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'NoteWritten',
    schemaVersion: 1,
    data: JSON.stringify({ text }),
    metadata: '{}',
  };
}

/**
 * A stream of `pages` replay pages' worth of events: schema-1 notes (upcast
 * on read), schema-2 notes with a Date (date paths in the metadata) and tags,
 * interleaved so the handler changes between events.
 */
async function writeJournal(store: EventStore, storage: MemoryEventStorage, id: string) {
  let version = 0;
  for (let round = 0; round < 150; round++) {
    await storage.append(id, [oldNote(`old-${round}`)], version);
    version += 1;
    await store.append(
      id,
      [
        new NoteWritten(`new-${round}`, new Date(Date.UTC(2026, 0, 1, 0, 0, round))),
        new NoteTagged(`tag-${round}`),
      ],
      { expectedVersion: version },
    );
    version += 2;
  }
  return version;
}

/** The aggregate as a fold of `EventStore.readStream`: the reference the fast replay must equal. */
async function foldOfReadStream<A extends Journal>(
  store: EventStore,
  aggregateClass: new () => A,
  id: string,
  toVersion = Number.POSITIVE_INFINITY,
): Promise<A> {
  const aggregate = new aggregateClass();
  aggregate.id = id;
  const recorded = await store.readStream(id);
  aggregate.loadFromHistory(recorded.filter((r) => r.version <= toVersion).map((r) => r.event));
  return aggregate;
}

describe('EventStore.load over the memory storage (its replay page path)', () => {
  describe('when a stream mixes upcast, dated and other events over several pages', () => {
    it('should rebuild the aggregate exactly as a fold of readStream does', async () => {
      // Given: 450 events (more than one 256-event page), across small arena chunks
      const { storage, store } = setup({ chunkCapacity: 4096 });
      const id = randomUUID();
      const version = await writeJournal(store, storage, id);

      // When
      const loaded = await store.load(Journal, id);

      // Then
      const reference = await foldOfReadStream(store, Journal, id);
      expect(loaded.version).toBe(version);
      expect(loaded.committedVersion).toBe(version);
      expect(loaded.entries).toEqual(reference.entries);
      expect(loaded.entries).toHaveLength(version);
      expect(loaded.entries[0]).toMatchObject({ kind: 'NoteWritten', text: 'upcast old-0' });
      expect(loaded.entries[1]).toMatchObject({ kind: 'NoteWritten', text: 'new-0', isDate: true });
      expect(loaded.entries[2]).toMatchObject({ kind: 'NoteTagged', text: 'tag-0', version: 2 });
    });

    it('should rebuild the same past state with toVersion as the fold of that prefix', async () => {
      // Given
      const { storage, store } = setup();
      const id = randomUUID();
      await writeJournal(store, storage, id);

      // When
      const loaded = await store.load(Journal, id, { toVersion: 301 });

      // Then
      const reference = await foldOfReadStream(store, Journal, id, 301);
      expect(loaded.version).toBe(301);
      expect(loaded.entries).toEqual(reference.entries);
    });

    it("should go through an aggregate's own loadFromHistory when it overrides it", async () => {
      // Given
      const { storage, store } = setup();
      const id = randomUUID();
      const version = await writeJournal(store, storage, id);

      // When
      const loaded = await store.load(CountingJournal, id);

      // Then
      expect(loaded.seenThroughOverride).toBe(version);
      expect(loaded.entries).toEqual((await foldOfReadStream(store, Journal, id)).entries);
    });
  });

  describe('when the stored bytes of a payload were damaged', () => {
    it('should fail the load with EventSerializationError naming the stream and version', async () => {
      // Given: a payload whose stored bytes no longer are JSON (JavaScript holds writable Buffers over the arena)
      const { storage, store } = setup();
      const id = randomUUID();
      await store.append(id, [new NoteTagged('first'), new NoteTagged('damaged-here')]);
      const chunk = (storage as unknown as { chunk(index: number): Buffer }).chunk(0);
      const at = chunk.indexOf('{"tag":"damaged-here"}');
      expect(at).toBeGreaterThan(0);
      chunk.write('!', at, 'latin1');

      // When
      let error: unknown;
      try {
        await store.load(Journal, id);
      } catch (caught) {
        error = caught;
      }

      // Then
      expect(error).toBeInstanceOf(EventSerializationError);
      expect(isCelloError(error, 'event-serialization-failed')).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`stream "${id}" version 2 is not valid JSON`),
      );
    });
  });
});
