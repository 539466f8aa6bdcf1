import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Client } from 'pg';
import {
  Event,
  EventHandler,
  EventSerializationError,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
  SubscriptionManager,
  UnknownEventTypeError,
  UpcastingError,
  type SubscriptionEnvelope,
} from '@cello/event-sourcing';
import { connectToTestDatabase, usePostgresDatabase } from '../support/postgres-database';

@EventType('CorruptionMeterRead')
class MeterRead extends Event {
  constructor(
    readonly meterId: string,
    readonly value: number,
  ) {
    super();
  }
}

/** Schema 2 renamed `celsius` to `temperature`; the upcaster needs a number in `celsius`. */
@EventType('CorruptionTemperatureTaken', { schemaVersion: 2 })
class TemperatureTaken extends Event {
  constructor(
    readonly meterId: string,
    readonly temperature: number,
  ) {
    super();
  }
}

const temperatureV1 = {
  type: 'CorruptionTemperatureTaken',
  fromVersion: 1,
  upcast(data: { meterId: string; celsius: unknown }) {
    if (typeof data.celsius !== 'number') throw new Error('celsius is not a number');
    return { meterId: data.meterId, temperature: data.celsius };
  },
};

/** Records what it was given, by position. */
@Injectable()
@EventSubscriber({ name: 'corruption-meter-log', maxAttempts: 2, retryDelayMs: 1 })
class MeterLog {
  readonly positions: number[] = [];

  @EventHandler(MeterRead, TemperatureTaken)
  on(_event: Event, envelope: SubscriptionEnvelope): void {
    this.positions.push(envelope.position);
  }
}

describe('when stored events are corrupt (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let app: TestingModule;
  let store: EventStore;
  let sql: Client;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage: db.url,
          events: [MeterRead, TemperatureTaken],
          upcasters: [temperatureV1],
          subscriptions: { pollIntervalMs: 50 },
        }),
      ],
      providers: [MeterLog],
    }).compile();
    app.useLogger(false);
    await app.init();
    store = app.get(EventStore);
    sql = await connectToTestDatabase(db.url);
  });

  afterAll(async () => {
    await sql.end();
    await app.close();
  });

  /** A stream of three good events whose second row is then rewritten by `corrupt` (SQL). */
  async function streamWithCorruptSecondEvent(
    corrupt: string,
  ): Promise<{ streamId: string; position: number }> {
    const streamId = `meter-${randomUUID()}`;
    const written = await store.append(streamId, [
      new MeterRead(streamId, 1),
      new MeterRead(streamId, 2),
      new MeterRead(streamId, 3),
    ]);
    await sql.query(`UPDATE cello_events SET ${corrupt} WHERE stream_id = $1 AND version = 2`, [
      streamId,
    ]);
    return { streamId, position: written.positions[1] };
  }

  /** A healthy stream next to the corrupt ones, written after them. */
  async function expectOtherStreamsWork(): Promise<void> {
    const streamId = `healthy-${randomUUID()}`;
    const written = await store.append(streamId, [new MeterRead(streamId, 7)], {
      expectedVersion: 0,
    });
    const events = await store.readStream<MeterRead>(streamId);
    expect(events.map((e) => e.event.value)).toEqual([7]);
    // The subscriber went past the corrupt event (parked it) and got the healthy one.
    await app.get(SubscriptionManager).waitForPosition(written.positions[0], { timeoutMs: 10_000 });
    expect(app.get(MeterLog).positions).toContain(written.positions[0]);
  }

  function errorOf(work: () => Promise<unknown>): Promise<unknown> {
    return work().then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  describe('when a row has an unknown event type', () => {
    it('should fail reads with UnknownEventTypeError naming the stream and position, and keep the app serving', async () => {
      // Given
      const { streamId, position } = await streamWithCorruptSecondEvent(
        `type = 'EventNobodyRegistered'`,
      );

      // When
      const error = await errorOf(() => store.readStream(streamId));
      const fromLog = await errorOf(() => store.readAll({ fromPosition: position }));

      // Then
      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect(error).toMatchObject({ streamId, position, version: 2 });
      expect((error as Error).message).toContain(`"${streamId}"`);
      expect((error as Error).message).toContain(`position ${position}`);
      expect(fromLog).toBeInstanceOf(UnknownEventTypeError);
      // Reading up to it still works.
      const head = await store.readStream<MeterRead>(streamId, { limit: 1 });
      expect(head.map((e) => e.event.value)).toEqual([1]);
      await expectOtherStreamsWork();
    });
  });

  describe('when a payload is not a JSON object', () => {
    it('should fail reads with EventSerializationError naming the stream and position', async () => {
      // Given: jsonb cannot hold invalid JSON, but it can hold the wrong shape
      const { streamId, position } = await streamWithCorruptSecondEvent(
        `data = '"not an object"'::jsonb`,
      );

      // When
      const error = await errorOf(() => store.readStream(streamId));

      // Then
      expect(error).toBeInstanceOf(EventSerializationError);
      expect((error as Error).message).toContain(`"${streamId}"`);
      expect((error as Error).message).toContain(`position ${position}`);
      await expectOtherStreamsWork();
    });
  });

  describe('when an upcaster throws on a stored payload', () => {
    it('should fail reads with UpcastingError naming the stream and position, and park it in subscribers', async () => {
      // Given: a schema 1 row whose shape the upcaster rejects, written while the subscriber is stopped
      const manager = app.get(SubscriptionManager);
      await manager.stop('corruption-meter-log');
      const streamId = `thermo-${randomUUID()}`;
      const written = await store.append(streamId, [
        new TemperatureTaken(streamId, 20),
        new TemperatureTaken(streamId, 21),
      ]);
      await sql.query(
        `UPDATE cello_events SET schema_version = 1,
           data = jsonb_build_object('meterId', stream_id, 'celsius', 'warm')
         WHERE stream_id = $1 AND version = 2`,
        [streamId],
      );
      manager.start('corruption-meter-log');

      // When
      const error = await errorOf(() => store.readStream(streamId));

      // Then
      expect(error).toBeInstanceOf(UpcastingError);
      expect(error).toMatchObject({ streamId, position: written.positions[1], fromVersion: 1 });
      expect((error as Error).message).toContain('celsius is not a number');
      await expectOtherStreamsWork();
      const parked = await manager.listParked('corruption-meter-log');
      expect(parked.map((p) => p.position)).toContain(written.positions[1]);
      expect(app.get(MeterLog).positions).not.toContain(written.positions[1]);
    });
  });

  describe('when a Date field holds something that is not a date', () => {
    it('should not fail the read, and leave the value as stored', async () => {
      // Given an event with a Date field, whose stored value is then garbled
      @EventType('CorruptionCalibrated')
      class Calibrated extends Event {
        constructor(readonly at: Date) {
          super();
        }
      }
      const local = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot({ storage: db.url, events: [Calibrated] })],
      }).compile();
      local.useLogger(false);
      await local.init();
      try {
        const localStore = local.get(EventStore);
        const streamId = `calibration-${randomUUID()}`;
        await localStore.append(streamId, [new Calibrated(new Date('2026-01-02T03:04:05Z'))]);
        await sql.query(
          `UPDATE cello_events SET data = '{"at": "last tuesday"}'::jsonb WHERE stream_id = $1`,
          [streamId],
        );

        // When
        const [read] = await localStore.readStream<Calibrated>(streamId);

        // Then the unparseable value is handed over untouched (no invalid Date invented)
        expect(read.event).toBeInstanceOf(Calibrated);
        expect(read.event.at).toBe('last tuesday');
      } finally {
        await local.close();
      }
    });
  });
});
