import { Test, type TestingModule } from '@nestjs/testing';
import { AsyncContext, CommandBus, QueryBus } from '@cello/cqrs/compat';
import { waitUntil } from '../../../support/eventually';
import {
  MEMBER_ID,
  RENEWAL,
  ScopedBookLentEvent,
  ScopedBookLentHandler,
  ScopedLendBookCommand,
  ScopedLendBookHandler,
  ScopedListMembersQuery,
  ScopedLibraryAppModule,
  ScopedLoanRenewedEvent,
  ScopedLoanRenewedHandler,
  ScopedRenewLoanCommand,
  ScopedRenewLoanHandler,
} from './__fixtures__/scoped-library.fixture';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('@cello/cqrs/compat: request-scoped handlers and AsyncContext', () => {
  let app: TestingModule;

  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [ScopedLibraryAppModule] }).compile();
    await app.init();
  });
  afterAll(() => app.close());

  describe('when "ScopedLendBookCommand" is executed with an AsyncContext', () => {
    const context = new AsyncContext();
    const command = new ScopedLendBookCommand(MEMBER_ID, 'book-2');
    let lend: jest.SpyInstance;
    let lent: jest.SpyInstance;
    let renew: jest.SpyInstance;
    let renewed: jest.SpyInstance;

    beforeAll(async () => {
      app.registerRequestByContextId(context, context.id);
      // The instances of this context: the bus must resolve these very ones.
      lend = jest.spyOn(await app.resolve(ScopedLendBookHandler, context.id), 'execute');
      lent = jest.spyOn(await app.resolve(ScopedBookLentHandler, context.id), 'handle');
      renew = jest.spyOn(await app.resolve(ScopedRenewLoanHandler, context.id), 'execute');
      renewed = jest.spyOn(await app.resolve(ScopedLoanRenewedHandler, context.id), 'handle');
      await app.get(CommandBus).execute(command, context);
      await nextTurn();
    });

    it("should run the context's handler instance", () => {
      expect(lend).toHaveBeenCalledWith(command);
    });

    it("should handle the committed event in the command's context", () => {
      expect(lent).toHaveBeenCalledWith(new ScopedBookLentEvent(MEMBER_ID, 'book-2'));
    });

    describe('and a saga merges the context into its command', () => {
      it("should run the saga's command handler in the same context", async () => {
        await waitUntil('the saga command ran', () => renew.mock.calls.length > 0, 10_000);
        expect(renew).toHaveBeenCalledWith(new ScopedRenewLoanCommand(MEMBER_ID, RENEWAL));
      });

      it("should handle that command's event in the same context", async () => {
        await waitUntil('the renewal was handled', () => renewed.mock.calls.length > 0, 10_000);
        expect(renewed).toHaveBeenCalledWith(new ScopedLoanRenewedEvent(MEMBER_ID, RENEWAL));
      });
    });
  });

  describe('when "ScopedLendBookCommand" is executed without an AsyncContext', () => {
    it('should make one and return the handler result', async () => {
      const command = new ScopedLendBookCommand(MEMBER_ID, 'book-3');
      const result = await app.get(CommandBus).execute(command);
      expect(result).toEqual({ memberId: MEMBER_ID, bookId: 'book-3' });
      expect(AsyncContext.of(command)).toBeInstanceOf(AsyncContext);
    });
  });

  describe('when "ScopedListMembersQuery" is executed with an AsyncContext', () => {
    it('should return every member, from a handler that sees the context as REQUEST', async () => {
      const context = new AsyncContext();
      const members = await app.get(QueryBus).execute(new ScopedListMembersQuery(), context);
      expect(members).toEqual([expect.objectContaining({ id: MEMBER_ID })]);
    });
  });

  describe('when "ScopedListMembersQuery" is executed without an AsyncContext', () => {
    it('should return every member', async () => {
      const members = await app.get(QueryBus).execute(new ScopedListMembersQuery());
      expect(members).toEqual([expect.objectContaining({ id: MEMBER_ID })]);
    });
  });
});
