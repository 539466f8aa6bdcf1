import type { EventStorage } from '../store/event-storage';
import { describeAppendToNewStream } from './event-storage-contract/append-to-new-stream.contract';
import { describeReadStream } from './event-storage-contract/read-stream.contract';
import { describeReplayStream } from './event-storage-contract/replay-stream.contract';
import { describeExpectedVersion } from './event-storage-contract/expected-version.contract';
import { describeFacadeEmptyAppend } from './event-storage-contract/facade-empty-append.contract';
import { describeMalformedReadOptions } from './event-storage-contract/malformed-read-options.contract';
import { describeConcurrentAppends } from './event-storage-contract/concurrent-appends.contract';
import { describeIdempotentAppend } from './event-storage-contract/idempotent-append.contract';
import { describeAllOrNothingAppend } from './event-storage-contract/all-or-nothing-append.contract';
import { describeGlobalLog } from './event-storage-contract/global-log.contract';
import { describeReadBackward } from './event-storage-contract/read-backward.contract';
import { describeSnapshots } from './event-storage-contract/snapshots.contract';
import { describeProcessorLeases } from './event-storage-contract/processor-leases.contract';
import { describeParkedEvents } from './event-storage-contract/parked-events.contract';
import { describeAppendWakeUps } from './event-storage-contract/append-wake-ups.contract';
import { describePing } from './event-storage-contract/ping.contract';
import { describeTransaction } from './event-storage-contract/transaction.contract';
import { describeLoadToVersion } from './event-storage-contract/load-to-version.contract';
import { describeInlineProjections } from './event-storage-contract/inline-projection.contract';
import type { StorageUnderTest } from './event-storage-contract/storage-under-test';

/**
 * The backend contract suite: the same cases for every `EventStorage`
 * (memory, PostgreSQL, a user's own). Call it inside a jest test file:
 *
 * ```ts
 * describeEventStorageContract('MyEventStorage', async () => new MyEventStorage(...));
 * ```
 *
 * `factory` is called before each case and must return a ready storage (the
 * suite calls `init()` itself); the suite closes it after the case, then calls
 * `cleanup` when given. Cases use fresh stream and processor names and read
 * the global log relative to its head, so a storage shared between cases works.
 */
export function describeEventStorageContract(
  name: string,
  factory: () => Promise<EventStorage>,
  cleanup?: (storage: EventStorage) => Promise<void>,
): void {
  describe(`${name} (event storage contract)`, () => {
    const subject = {} as StorageUnderTest;

    beforeEach(async () => {
      subject.storage = await factory();
      await subject.storage.init();
    });

    afterEach(async () => {
      await subject.storage.close();
      await cleanup?.(subject.storage);
    });

    describeAppendToNewStream(subject);
    describeReadStream(subject);
    describeReplayStream(subject);
    describeExpectedVersion(subject);
    describeFacadeEmptyAppend(subject);
    describeMalformedReadOptions(subject);
    describeConcurrentAppends(subject);
    describeIdempotentAppend(subject);
    describeAllOrNothingAppend(subject);
    describeGlobalLog(subject);
    describeReadBackward(subject);
    describeSnapshots(subject);
    describeProcessorLeases(subject);
    describeParkedEvents(subject);
    describeAppendWakeUps(subject);
    describePing(subject);
    describeTransaction(subject);
    describeLoadToVersion(subject);
    describeInlineProjections(subject);
  });
}
