import { Test, type TestingModule } from '@nestjs/testing';
import { CommandBus, QueryBus } from '@cello/cqrs/compat';
import { waitUntil } from '../../../support/eventually';
import {
  BookLentEvent,
  BookLentHandler,
  CatalogueClosedHandler,
  FindReaderQuery,
  LendBookCommand,
  LendBookHandler,
  LibraryAppModule,
  ListReadersQuery,
  READER_ID,
  REMINDER,
  ReminderSentEvent,
  ReminderSentHandler,
  SendReminderCommand,
  SendReminderHandler,
  SHELF_ID,
  ShelfSpaceFreedEvent,
  ShelfSpaceFreedHandler,
} from './__fixtures__/library-app.fixture';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('@cello/cqrs/compat: an app written for @nestjs/cqrs', () => {
  let app: TestingModule;

  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [LibraryAppModule] }).compile();
    await app.init();
  });
  afterAll(() => app.close());

  describe('when "LendBookCommand" is executed', () => {
    let lend: jest.SpyInstance;
    let lent: jest.SpyInstance;
    let freed: jest.SpyInstance;
    let closed: jest.SpyInstance;
    let remind: jest.SpyInstance;
    let reminded: jest.SpyInstance;
    const command = new LendBookCommand(READER_ID, 'book-1');

    beforeAll(async () => {
      lend = jest.spyOn(app.get(LendBookHandler), 'execute');
      lent = jest.spyOn(app.get(BookLentHandler), 'handle');
      freed = jest.spyOn(app.get(ShelfSpaceFreedHandler), 'handle');
      closed = jest.spyOn(app.get(CatalogueClosedHandler), 'handle');
      remind = jest.spyOn(app.get(SendReminderHandler), 'execute');
      reminded = jest.spyOn(app.get(ReminderSentHandler), 'handle');
      await app.get(CommandBus).execute(command);
      await nextTurn();
    });

    it('should run its handler with the command alone', () => {
      expect(lend).toHaveBeenCalledWith(command);
    });

    it('should handle the event the aggregate root committed', () => {
      expect(lent).toHaveBeenCalledWith(new BookLentEvent(READER_ID, 'book-1'));
    });

    it('should handle the event committed by a WithAggregateRoot mixin aggregate', () => {
      expect(freed).toHaveBeenCalledWith(new ShelfSpaceFreedEvent(SHELF_ID));
    });

    it('should not call the handler of an event nobody published', () => {
      expect(closed).not.toHaveBeenCalled();
    });

    describe('and the saga reacts to "BookLentEvent"', () => {
      it('should execute the command the saga emitted', async () => {
        await waitUntil('the saga command ran', () => remind.mock.calls.length > 0, 10_000);
        expect(remind).toHaveBeenCalledWith(new SendReminderCommand(READER_ID, REMINDER));
      });

      it("should handle the event of the saga's command", async () => {
        await waitUntil(
          'the reminder event was handled',
          () => reminded.mock.calls.length > 0,
          10_000,
        );
        expect(reminded).toHaveBeenCalledWith(new ReminderSentEvent(READER_ID, REMINDER));
      });
    });
  });

  describe('when "ListReadersQuery" is executed', () => {
    it('should return every reader', async () => {
      const readers = await app.get(QueryBus).execute(new ListReadersQuery());
      expect(readers).toEqual([expect.objectContaining({ id: READER_ID })]);
    });
  });

  describe('when "FindReaderQuery" is executed', () => {
    it('should return that reader', async () => {
      const reader = await app.get(QueryBus).execute(new FindReaderQuery('reader-9'));
      expect(reader).toEqual(expect.objectContaining({ id: 'reader-9' }));
    });
  });
});
