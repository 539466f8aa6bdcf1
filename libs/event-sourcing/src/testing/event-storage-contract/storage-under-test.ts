import type { EventStorage } from '../../store/event-storage';

/** The storage the current case runs against: set before each case by `describeEventStorageContract`. */
export interface StorageUnderTest {
  storage: EventStorage;
}
