import { randomUUID } from 'node:crypto';
import { isCelloError } from '@cello/core';
import { DataSource } from 'typeorm';
import { useMysqlDatabase } from '../../../../support/mysql-database';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import { InvalidAppendError } from '@cello/event-sourcing/errors/invalid-append.error';
import { InvalidStorageOptionError } from '@cello/event-sourcing/errors/invalid-storage-option.error';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { MysqlEventStorage } from '@cello/event-sourcing/store/mysql/mysql-event-storage';

function anEvent(data: unknown = { n: 1 }, overrides: Partial<EventToAppend> = {}): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'MysqlTested',
    schemaVersion: 1,
    data: JSON.stringify(data),
    metadata: '{}',
    ...overrides,
  };
}

describe('MysqlEventStorage', () => {
  const db = useMysqlDatabase();
  const opened: MysqlEventStorage[] = [];

  async function open(options: Parameters<typeof MysqlEventStorage.fromUrl>[1] = {}) {
    const storage = MysqlEventStorage.fromUrl(db.url, { poolSize: 3, ...options });
    opened.push(storage);
    await storage.init();
    return storage;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
  });

  describe('when an append carries text that is not JSON', () => {
    it('should refuse it with InvalidAppendError and write nothing', async () => {
      // Given
      const storage = await open();
      const streamId = `s-${randomUUID()}`;
      const head = await storage.headPosition();

      // When
      const error = await storage
        .append(streamId, [anEvent(), { ...anEvent(), data: '{not json' }], 'any')
        .catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, InvalidAppendError.code)).toBe(true);
      expect((error as Error).message).toContain(streamId);
      expect(await storage.readStream(streamId)).toEqual([]);
      expect(await storage.headPosition()).toBe(head);
    });

    it('should still store the other appends that travelled in the same transaction', async () => {
      // Given
      const storage = await open();
      const good = `good-${randomUUID()}`;
      const bad = `bad-${randomUUID()}`;

      // When both are sent in the same tick (one coalesced transaction)
      const [stored, refused] = await Promise.allSettled([
        storage.append(good, [anEvent()], 'no_stream'),
        storage.append(bad, [{ ...anEvent(), data: '[1,' }], 'no_stream'),
      ]);

      // Then
      expect(stored.status).toBe('fulfilled');
      expect(refused.status).toBe('rejected');
      expect(await storage.readStream(good)).toHaveLength(1);
      expect(await storage.streamVersion(bad)).toBe(0);
    });
  });

  describe('when poisoned appends travel in one transaction with good ones', () => {
    it('should store every good append and refuse each poisoned one alone, as invalid input', async () => {
      // Given 60 good and 20 poisoned appends (JSON text MariaDB's JSON check refuses; the storage does not parse payloads), sent at once
      const storage = await open();
      const streams = Array.from({ length: 80 }, () => `s-${randomUUID()}`);
      const poisoned = (k: number) => k % 4 === 1;
      // When
      const outcomes = await Promise.allSettled(
        streams.map((streamId, k) =>
          storage.append(
            streamId,
            [poisoned(k) ? { ...anEvent(), data: '{"customer_id": ' } : anEvent({ k })],
            'no_stream',
          ),
        ),
      );
      // Then
      for (const [k, outcome] of outcomes.entries()) {
        if (poisoned(k)) {
          const reason = (outcome as PromiseRejectedResult).reason as unknown;
          expect(isCelloError(reason, InvalidAppendError.code)).toBe(true);
          expect(reason).toMatchObject({ streamId: streams[k] });
          expect(await storage.streamVersion(streams[k])).toBe(0);
        } else {
          expect(outcome).toMatchObject({ status: 'fulfilled', value: { streamVersion: 1 } });
        }
      }
    });
  });

  describe('when an append is rejected or rolled back', () => {
    it('should leave no hole in the global positions', async () => {
      // Given
      const storage = await open();
      const streamId = `s-${randomUUID()}`;
      const first = await storage.append(streamId, [anEvent()], 'no_stream');

      // When a conflicting and a malformed append fail, then one succeeds
      await storage.append(streamId, [anEvent()], 'no_stream').catch(() => undefined);
      await storage.append(streamId, [{ ...anEvent(), data: 'x' }], 1).catch(() => undefined);
      const next = await storage.append(streamId, [anEvent()], 1);

      // Then
      expect(next.positions).toEqual([first.positions[0] + 1]);
      expect(await storage.headPosition()).toBe(next.positions[0]);
    });
  });

  describe('when an append is larger than one INSERT statement should carry', () => {
    it('should store it whole in one transaction, split into several statements', async () => {
      // Given 6 events of about 1 MB each (the split happens every 4 MB)
      const storage = await open();
      const streamId = `big-${randomUUID()}`;
      const events = Array.from({ length: 6 }, (_, i) => anEvent({ i, blob: 'x'.repeat(1 << 20) }));

      // When
      const result = await storage.append(streamId, events, 'no_stream');

      // Then
      expect(result.streamVersion).toBe(6);
      const read = await storage.readStream(streamId);
      expect(read.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(result.positions).toEqual(read.map((e) => e.position));
    });
  });

  describe('when an append is re-sent with upper-case event ids', () => {
    it('should recognise the first write', async () => {
      // Given
      const storage = await open();
      const streamId = `s-${randomUUID()}`;
      const events = [anEvent(), anEvent()];
      const first = await storage.append(streamId, events, 'no_stream');

      // When
      const again = await storage.append(
        streamId,
        events.map((e) => ({ ...e, eventId: e.eventId.toUpperCase() })),
        'no_stream',
      );

      // Then
      expect(again).toEqual({ duplicate: true, positions: first.positions, streamVersion: 2 });
    });
  });

  describe('when an event type name is longer than the column', () => {
    it('should refuse the append before sending it', async () => {
      const storage = await open();
      const error = await storage
        .append(`s-${randomUUID()}`, [anEvent({}, { type: 'T'.repeat(256) })], 'any')
        .catch((e: unknown) => e);
      expect(isCelloError(error, InvalidAppendError.code)).toBe(true);
    });
  });

  describe('when several instances start on an empty database at once', () => {
    it('should migrate once and let all of them append', async () => {
      // Given / When
      const prefix = `race${randomUUID().slice(0, 6)}_`;
      const storages = await Promise.all(
        Array.from({ length: 4 }, () => open({ tablePrefix: prefix, poolSize: 1 })),
      );

      // Then
      const results = await Promise.all(
        storages.map((storage) => storage.append(`s-${randomUUID()}`, [anEvent()], 'no_stream')),
      );
      expect(results.map((r) => r.positions[0]).sort()).toEqual([1, 2, 3, 4]);
    });
  });

  describe('when the server cannot be reached', () => {
    it('should fail init with EventStoreUnavailableError', async () => {
      // Given a port nothing listens on
      const url = new URL(db.url);
      url.port = '1';
      const storage = MysqlEventStorage.fromUrl(url.toString(), { connectionTimeoutMs: 500 });

      // When
      const error = await storage.init().catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, EventStoreUnavailableError.code)).toBe(true);
      await storage.close();
    });

    it('should fail a query after close with EventStoreUnavailableError', async () => {
      const storage = await open();
      await storage.close();
      await expect(storage.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(storage.append('s', [anEvent()], 'any')).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
    });
  });

  describe('when given a TypeORM DataSource', () => {
    it('should refuse one without a utf8mb4 charset, saying how to fix it', () => {
      const dataSource = new DataSource({ type: 'mysql', url: db.url });
      expect(() => MysqlEventStorage.fromDataSource(dataSource)).toThrow(InvalidStorageOptionError);
      expect(() => MysqlEventStorage.fromDataSource(dataSource)).toThrow(/utf8mb4_unicode_ci/);
    });

    it('should refuse one of another database type', () => {
      const dataSource = new DataSource({ type: 'postgres', url: 'postgres://x@127.0.0.1/x' });
      expect(() => MysqlEventStorage.fromDataSource(dataSource)).toThrow(/not "mysql"/);
    });
  });
});
