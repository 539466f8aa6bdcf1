import { isCelloError } from '@cello/core';
import { Aggregate } from '../../aggregate/aggregate';
import { AggregateRoot } from '../../decorators/aggregate-root.decorator';
import { EventHandler } from '../../decorators/event-handler.decorator';
import { EventType } from '../../decorators/event-type.decorator';
import { AggregateNotFoundError } from '../../errors/aggregate-not-found.error';
import { InvalidReadOptionsError } from '../../errors/invalid-read-options.error';
import { Event } from '../../event/event';
import { EventRegistry } from '../../event/event-registry';
import { EventSerializer } from '../../serialization/event-serializer';
import { encodeSnapshotState } from '../../serialization/snapshot-codec';
import { EventStore } from '../../store/event-store';
import type { EventStorage } from '../../store/event-storage';
import { eventStoreOver, newStreamId, range, rejection } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

@EventType('ContractTallied')
class Tallied extends Event {
  constructor(
    readonly tallyId: string,
    readonly n: number,
  ) {
    super();
  }
}

/** An aggregate whose state lists every event it has seen, so a replay's extent shows. */
@AggregateRoot({ type: 'ContractTally' })
class Tally extends Aggregate {
  seen: number[] = [];

  static counting(id: string, count: number): Tally {
    const tally = new Tally();
    for (const n of range(1, count)) tally.apply(new Tallied(id, n));
    return tally;
  }

  @EventHandler(Tallied)
  onTallied(event: Tallied): void {
    this.id = event.tallyId;
    this.seen.push(event.n);
  }
}

/** The facade with a snapshot every `snapshotInterval` events. */
function eventStoreSnapshotting(storage: EventStorage, snapshotInterval: number): EventStore {
  const registry = new EventRegistry();
  return new EventStore(storage, new EventSerializer(registry, {}), registry, {
    snapshotInterval,
  });
}

/** The contract cases of `load(…, { toVersion })` and `streamExists`, through the EventStore facade. */
export function describeLoadToVersion(subject: StorageUnderTest): void {
  describe('when the EventStore facade loads an aggregate at a version', () => {
    it('should replay up to that version only', async () => {
      // Given
      const id = newStreamId();
      const store = eventStoreOver(subject.storage);
      await store.save(Tally.counting(id, 5));

      // When
      const tally = await store.load(Tally, id, { toVersion: 3 });

      // Then
      expect(tally.seen).toEqual([1, 2, 3]);
      expect(tally.version).toBe(3);
      expect((await store.load(Tally, id)).seen).toEqual([1, 2, 3, 4, 5]);
    });

    it('should not use a snapshot newer than that version, nor replace it', async () => {
      // Given a snapshot at version 4
      const id = newStreamId();
      const store = eventStoreSnapshotting(subject.storage, 4);
      await store.save(Tally.counting(id, 4));
      expect((await subject.storage.loadSnapshot(id, 'ContractTally'))?.version).toBe(4);

      // When
      const tally = await store.load(Tally, id, { toVersion: 2 });

      // Then
      expect(tally.seen).toEqual([1, 2]);
      expect(tally.version).toBe(2);
      expect((await subject.storage.loadSnapshot(id, 'ContractTally'))?.version).toBe(4);
    });

    it('should use a snapshot at or below that version and replay the rest', async () => {
      // Given five events and a snapshot at version 2 whose state the events would not give
      const id = newStreamId();
      const store = eventStoreOver(subject.storage);
      await store.save(Tally.counting(id, 5));
      await subject.storage.saveSnapshot({
        streamId: id,
        aggregateType: 'ContractTally',
        version: 2,
        schemaVersion: 1,
        state: encodeSnapshotState('ContractTally', { seen: [-1, -2] }),
        createdAt: new Date(),
      });

      // When
      const fromSnapshot = await store.load(Tally, id, { toVersion: 4 });
      const beforeSnapshot = await store.load(Tally, id, { toVersion: 1 });

      // Then
      expect(fromSnapshot.seen).toEqual([-1, -2, 3, 4]);
      expect(fromSnapshot.version).toBe(4);
      expect(beforeSnapshot.seen).toEqual([1]);
    });

    it('should give the current state when the version is past the end', async () => {
      // Given
      const id = newStreamId();
      const store = eventStoreOver(subject.storage);
      await store.save(Tally.counting(id, 3));

      // When
      const tally = await store.load(Tally, id, { toVersion: 99 });

      // Then
      expect(tally.seen).toEqual([1, 2, 3]);
      expect(tally.version).toBe(3);
    });

    it('should throw AggregateNotFoundError when the stream has no events', async () => {
      // Given
      const store = eventStoreOver(subject.storage);

      // When
      const error = await rejection(store.load(Tally, newStreamId(), { toVersion: 1 }));

      // Then
      expect(isCelloError(error, AggregateNotFoundError.code)).toBe(true);
    });

    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2' as unknown as number])(
      'should refuse toVersion %p with an InvalidReadOptionsError',
      async (toVersion) => {
        // Given
        const id = newStreamId();
        const store = eventStoreOver(subject.storage);
        await store.save(Tally.counting(id, 2));

        // When
        const error = await rejection(store.load(Tally, id, { toVersion }));

        // Then
        expect(isCelloError(error, InvalidReadOptionsError.code)).toBe(true);
        expect(error).toMatchObject({ option: 'toVersion', value: toVersion, minimum: 1 });
      },
    );
  });

  describe('when the EventStore facade asks whether a stream exists', () => {
    it('should say no for a stream without events, even after an empty append', async () => {
      // Given
      const id = newStreamId();
      const store = eventStoreOver(subject.storage);
      await store.append(id, []);

      // When
      const exists = await store.streamExists(id);

      // Then
      expect(exists).toBe(false);
    });

    it('should say yes once the stream has an event', async () => {
      // Given
      const id = newStreamId();
      const store = eventStoreOver(subject.storage);
      await store.append(id, new Tallied(id, 1));

      // When
      const exists = await store.streamExists(id);

      // Then
      expect(exists).toBe(true);
      expect(await store.streamExists(newStreamId())).toBe(false);
    });
  });
}
