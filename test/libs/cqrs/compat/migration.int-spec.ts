import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, take } from 'rxjs';
import { EventStore, MissingStreamIdError } from '@cello/event-sourcing';
import { SagaRunner } from '@cello/saga';
import { CommandBus, UnhandledExceptionBus } from '@cello/cqrs/compat';
import { usePostgresDatabase } from '../../../support/postgres-database';
import { waitUntil } from '../../../support/eventually';
import {
  BookLentEvent,
  DustShelfCommand,
  Journal,
  LendBookCommand,
  type MigrationStep,
  ShelfDustedEvent,
  libraryAppAt,
} from './__fixtures__/migration-steps.fixture';

describe('Moving from @nestjs/cqrs, one step at a time (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function boot(step: MigrationStep) {
    const moduleRef = await Test.createTestingModule({
      imports: [libraryAppAt(step, db.url)],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    return {
      commands: app.get(CommandBus),
      store: app.get(EventStore),
      journal: app.get(Journal),
      types: async (streamId: string) =>
        (await app!.get(EventStore).readStream(streamId)).map((e) => e.type),
    };
  }

  const has = (journal: Journal, entry: string) => () => journal.entries.includes(entry);

  describe('step 1: EventBus.publish of an @EventType Cello event appends it to its streamId', () => {
    it("should store the aggregate's and the saga's events and still run the in-process handlers and saga", async () => {
      const { commands, journal, types } = await boot(1);
      const reader = `reader-${randomUUID()}`;
      await commands.execute(new LendBookCommand(reader, 'book-1'));
      await waitUntil('the saga reminded', has(journal, `reminded ${reader}`), 20_000);
      await waitUntil('the reminder was logged', has(journal, 'logged ReminderSentEvent'), 20_000);
      expect(journal.entries).toContain('in-process shelf freed book-1');
      expect(await types(reader)).toEqual(['library.BookLent', 'library.ReminderSent']);
    });

    it('should fail an event without a streamId, store nothing and deliver nothing', async () => {
      const { commands, journal, store } = await boot(1);
      const reported = firstValueFrom(app!.get(UnhandledExceptionBus).pipe(take(1)));
      const before = (await store.readAll()).length;
      await expect(commands.execute(new DustShelfCommand())).rejects.toBeInstanceOf(
        MissingStreamIdError,
      );
      const info = await reported;
      expect(info.exception).toBeInstanceOf(MissingStreamIdError);
      expect(info.cause).toBeInstanceOf(ShelfDustedEvent);
      expect((await store.readAll()).length).toBe(before);
      expect(journal.entries).not.toContain('logged ShelfDustedEvent');
    });
  });

  describe('step 2: one @EventsHandler becomes a durable @EventSubscriber', () => {
    it('should hand it the stored event while the other handlers and the saga stay in-process', async () => {
      const { commands, journal } = await boot(2);
      const reader = `reader-${randomUUID()}`;
      await commands.execute(new LendBookCommand(reader, 'book-2'));
      await waitUntil('the subscriber ran', has(journal, 'durable shelf freed book-2'), 20_000);
      await waitUntil('the saga reminded', has(journal, `reminded ${reader}`), 20_000);
      expect(journal.entries).not.toContain('in-process shelf freed book-2');
    });
  });

  describe('step 3: the AggregateRoot becomes an event-sourced Aggregate', () => {
    it('should load it from the events earlier steps stored and store each new event once', async () => {
      const reader = `reader-${randomUUID()}`;
      // Given: a loan made by the app at step 2 (AggregateRoot, events appended by the EventBus)
      const before = await boot(2);
      await before.commands.execute(new LendBookCommand(reader, 'book-3'));
      // The reminder is logged once its event is stored: the app can stop then.
      await waitUntil(
        'the step-2 reminder was stored',
        has(before.journal, 'logged ReminderSentEvent'),
        20_000,
      );
      await app!.close();
      // When: the step-3 app lends again
      const { commands, journal, types } = await boot(3);
      await commands.execute(new LendBookCommand(reader, 'book-4'));
      // Then: the aggregate saw the first loan, and the in-process saga still runs
      expect(journal.entries).toContain(`loans of ${reader}: 2`);
      await waitUntil('the saga reminded', has(journal, `reminded ${reader}`), 20_000);
      await waitUntil('the reminder was stored', has(journal, 'logged ReminderSentEvent'), 20_000);
      await waitUntil('the subscriber ran', has(journal, 'durable shelf freed book-4'), 20_000);
      expect(await types(reader)).toEqual([
        'library.BookLent',
        'library.ReminderSent',
        'library.BookLent',
        'library.ReminderSent',
      ]);
    });
  });

  describe('step 4: the observable saga becomes a persisted @cello/saga saga', () => {
    it('should start one stored saga per loan that dispatches the command through the compat bus', async () => {
      const { commands, journal, store, types } = await boot(4);
      const reader = `reader-${randomUUID()}`;
      await commands.execute(new LendBookCommand(reader, 'book-5'));
      await waitUntil('the persisted saga reminded', has(journal, `reminded ${reader}`), 20_000);
      const [lent] = await store.readStream(reader);
      const sagaId = `remind:${(lent!.event as BookLentEvent).eventId}`;
      await waitUntil(
        'the saga completed',
        async () => (await app!.get(SagaRunner).getStatus(sagaId)).status === 'completed',
        20_000,
      );
      expect(journal.entries.filter((e) => e === `reminded ${reader}`)).toHaveLength(1);
      expect(await types(reader)).toEqual(['library.BookLent', 'library.ReminderSent']);
      expect(journal.entries).toContain('logged ReminderSentEvent');
    });
  });
});
