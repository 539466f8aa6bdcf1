import { isCelloError } from '@cello/core';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import { TransactionEndedError } from '../../errors/transaction-ended.error';
import type { EventLogTransaction } from '../../store/event-log-transaction';
import { anEvent, anEvents, newStreamId, rejection } from './contract-fixtures';
import type { StorageUnderTest } from './storage-under-test';

/** Writers of the transfer race, and how often each may retry after a conflict. */
const WRITERS = 16;
const MAX_ATTEMPTS = 500;

/** The contract cases of `transaction`: appends to several streams, all or nothing. */
export function describeTransaction(subject: StorageUnderTest): void {
  describe('transaction', () => {
    const transaction = <T>(work: (tx: EventLogTransaction) => Promise<T>): Promise<T> => {
      const storage = subject.storage;
      if (storage.transaction === undefined) throw new Error('the storage has no transaction');
      return storage.transaction(work);
    };

    it('should store the appends to several streams together when the work resolves', async () => {
      // Given
      const [a, b] = [newStreamId(), newStreamId()];
      // When
      const result = await transaction(async (tx) => {
        const first = await tx.append(a, anEvents(2), 'no_stream');
        const second = await tx.append(b, anEvents(1), 'no_stream');
        return [first.streamVersion, second.streamVersion];
      });
      // Then
      expect(result).toEqual([2, 1]);
      expect(await subject.storage.streamVersion(a)).toBe(2);
      expect(await subject.storage.streamVersion(b)).toBe(1);
    });

    it('should store nothing when the work throws after appending', async () => {
      // Given
      const [a, b] = [newStreamId(), newStreamId()];
      // When
      const error = await rejection(
        transaction(async (tx) => {
          await tx.append(a, anEvents(1), 'no_stream');
          await tx.append(b, anEvents(1), 'no_stream');
          throw new Error('app failure');
        }),
      );
      // Then
      expect((error as Error).message).toBe('app failure');
      expect(await subject.storage.streamVersion(a)).toBe(0);
      expect(await subject.storage.streamVersion(b)).toBe(0);
      expect(await subject.storage.readStream(a)).toEqual([]);
    });

    it('should refuse a wrong expected version with ConcurrencyError and store none of the appends', async () => {
      // Given
      const [a, b] = [newStreamId(), newStreamId()];
      await subject.storage.append(b, anEvents(2), 'no_stream');
      // When
      const error = await rejection(
        transaction(async (tx) => {
          await tx.append(a, anEvents(1), 'no_stream');
          await tx.append(b, anEvents(1), 1);
        }),
      );
      // Then
      expect(isCelloError(error, ConcurrencyError.code)).toBe(true);
      expect((error as ConcurrencyError).message).toContain(b);
      expect(await subject.storage.streamVersion(a)).toBe(0);
      expect(await subject.storage.streamVersion(b)).toBe(2);
    });

    it('should refuse an event id stored by another append with EventIdConflictError and store none of the appends', async () => {
      // Given: the second append's event id is already stored, in another stream
      const [a, b, other] = [newStreamId(), newStreamId(), newStreamId()];
      const reused = anEvent({ reused: true });
      const head = await subject.storage.headPosition();
      await subject.storage.append(other, [reused], 'no_stream');
      // When
      const error = await rejection(
        transaction(async (tx) => {
          await tx.append(a, anEvents(2), 'any');
          await tx.append(b, [anEvent({ fresh: true }), reused], 'any');
        }),
      );
      // Then
      expect(isCelloError(error, EventIdConflictError.code)).toBe(true);
      expect((error as EventIdConflictError).streamId).toBe(b);
      expect(await subject.storage.streamVersion(a)).toBe(0);
      expect(await subject.storage.streamVersion(b)).toBe(0);
      const after = await subject.storage.readAll({ fromPosition: head + 1 });
      expect(after.filter((event) => event.streamId === a || event.streamId === b)).toEqual([]);
    });

    it('should check an expected version against the earlier appends of the same transaction', async () => {
      // Given
      const a = newStreamId();
      // When
      await transaction(async (tx) => {
        await tx.append(a, anEvents(2), 'no_stream');
        await tx.append(a, [anEvent({ third: true })], 2);
      });
      // Then
      const versions = (await subject.storage.readStream(a)).map((event) => event.version);
      expect(versions).toEqual([1, 2, 3]);
    });

    it('should refuse an append made after the transaction ended', async () => {
      // Given
      const a = newStreamId();
      let leaked: EventLogTransaction | undefined;
      await transaction(async (tx) => {
        leaked = tx;
      });
      // When
      const error = await rejection(leaked!.append(a, anEvents(1), 'any'));
      // Then
      expect(isCelloError(error, TransactionEndedError.code)).toBe(true);
      expect(await subject.storage.streamVersion(a)).toBe(0);
    });

    it(`should keep the sum of two balances under ${WRITERS} racing transfers with expected versions`, async () => {
      // Given: two accounts; each transfer debits one and credits the other in one transaction
      const [from, to] = [newStreamId(), newStreamId()];
      const sumOf = async (streamId: string): Promise<number> =>
        (await subject.storage.readStream(streamId)).reduce(
          (sum, event) => sum + (event.data as { amount: number }).amount,
          0,
        );
      const transfer = async (amount: number): Promise<number> => {
        for (let attempt = 1; ; attempt++) {
          const [fromVersion, toVersion] = await Promise.all([
            subject.storage.streamVersion(from),
            subject.storage.streamVersion(to),
          ]);
          try {
            await transaction(async (tx) => {
              await tx.append(from, [anEvent({ amount: -amount })], fromVersion);
              await tx.append(to, [anEvent({ amount })], toVersion);
            });
            return attempt;
          } catch (error) {
            if (!isCelloError(error, ConcurrencyError.code) || attempt >= MAX_ATTEMPTS) throw error;
          }
        }
      };

      // A reader of the global log meanwhile: it must never see one half of a transfer.
      const start = await subject.storage.headPosition();
      const observed: [number, number][] = [];
      let racing = true;
      const observe = async (): Promise<void> => {
        do {
          const seen = await subject.storage.readAll({ fromPosition: start + 1, limit: 1000 });
          const count = (streamId: string) => seen.filter((e) => e.streamId === streamId).length;
          observed.push([count(from), count(to)]);
        } while (racing);
      };

      // When
      const reader = observe();
      const attempts = await Promise.all(
        Array.from({ length: WRITERS }, (_, index) => transfer(index + 1)),
      ).finally(() => {
        racing = false;
      });
      await reader;

      // Then: every transfer is stored whole, none half, and none was ever seen half
      expect(attempts.every((count) => count >= 1)).toBe(true);
      expect(observed.length).toBeGreaterThan(0);
      expect(observed.filter(([debits, credits]) => debits !== credits)).toEqual([]);
      expect(await subject.storage.streamVersion(from)).toBe(WRITERS);
      expect(await subject.storage.streamVersion(to)).toBe(WRITERS);
      expect((await sumOf(from)) + (await sumOf(to))).toBe(0);
      expect(await sumOf(to)).toBe((WRITERS * (WRITERS + 1)) / 2);
    });
  });
}
