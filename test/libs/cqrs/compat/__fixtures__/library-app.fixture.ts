// A small lending library written against @nestjs/cqrs's API, imported from @cello/cqrs/compat.
import { Injectable, Module } from '@nestjs/common';
import { type Observable, map, mergeMap, of } from 'rxjs';
import {
  AggregateRoot,
  CommandHandler,
  CqrsModule,
  EventBus,
  EventPublisher,
  EventsHandler,
  type ICommand,
  type ICommandHandler,
  type IEvent,
  type IEventHandler,
  type IQueryHandler,
  QueryHandler,
  Saga,
  WithAggregateRoot,
  ofType,
} from '@cello/cqrs/compat';

export const READER_ID = 'reader-7';
export const SHELF_ID = 'shelf-A';
export const REMINDER = 'return within 14 days';

// Messages: plain classes, as @nestjs/cqrs apps write them.
export class LendBookCommand {
  constructor(
    readonly readerId: string,
    readonly bookId: string,
  ) {}
}
export class SendReminderCommand {
  constructor(
    readonly readerId: string,
    readonly text: string,
  ) {}
}
export class BookLentEvent {
  constructor(
    readonly readerId: string,
    readonly bookId: string,
  ) {}
}
export class ShelfSpaceFreedEvent {
  constructor(readonly shelfId: string) {}
}
export class ReminderSentEvent {
  constructor(
    readonly readerId: string,
    readonly text: string,
  ) {}
}
export class CatalogueClosedEvent {}
export class ListReadersQuery {}
export class FindReaderQuery {
  constructor(readonly id: string) {}
}

export class Reader extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
  borrow(bookId: string): void {
    this.apply(new BookLentEvent(this.id, bookId));
  }
  remind(text: string): void {
    this.apply(new ReminderSentEvent(this.id, text));
  }
}

/** A class hierarchy the app already had: the mixin makes it an aggregate root. */
export abstract class Furniture {
  constructor(readonly id: string) {}
}
export class Shelf extends WithAggregateRoot(Furniture) {
  free(): void {
    this.apply(new ShelfSpaceFreedEvent(this.id));
  }
}

@Injectable()
export class ReaderRepository {
  async findOne(id: string): Promise<Reader> {
    return new Reader(id);
  }
  async findAll(): Promise<Reader[]> {
    return [new Reader(READER_ID)];
  }
}

@CommandHandler(LendBookCommand)
export class LendBookHandler implements ICommandHandler<LendBookCommand> {
  constructor(
    private readonly readers: ReaderRepository,
    private readonly publisher: EventPublisher,
  ) {}
  async execute(command: LendBookCommand): Promise<void> {
    const reader = this.publisher.mergeObjectContext(await this.readers.findOne(command.readerId));
    reader.borrow(command.bookId);
    reader.commit();
  }
}

@CommandHandler(SendReminderCommand)
export class SendReminderHandler implements ICommandHandler<SendReminderCommand> {
  constructor(
    private readonly readers: ReaderRepository,
    private readonly publisher: EventPublisher,
  ) {}
  async execute(command: SendReminderCommand): Promise<void> {
    const reader = this.publisher.mergeObjectContext(await this.readers.findOne(command.readerId));
    reader.remind(command.text);
    reader.commit();
  }
}

@EventsHandler(BookLentEvent)
export class BookLentHandler implements IEventHandler<BookLentEvent> {
  constructor(private readonly publisher: EventPublisher) {}
  handle(): void {
    const shelf = this.publisher.mergeObjectContext(new Shelf(SHELF_ID));
    shelf.free();
    shelf.commit();
  }
}

@EventsHandler(ShelfSpaceFreedEvent)
export class ShelfSpaceFreedHandler implements IEventHandler<ShelfSpaceFreedEvent> {
  handle(): void {}
}

@EventsHandler(ReminderSentEvent)
export class ReminderSentHandler implements IEventHandler<ReminderSentEvent> {
  handle(): void {}
}

@EventsHandler(CatalogueClosedEvent)
export class CatalogueClosedHandler implements IEventHandler<CatalogueClosedEvent> {
  handle(): void {}
}

@QueryHandler(ListReadersQuery)
export class ListReadersHandler implements IQueryHandler<ListReadersQuery> {
  constructor(private readonly readers: ReaderRepository) {}
  async execute(): Promise<Reader[]> {
    return this.readers.findAll();
  }
}

@QueryHandler(FindReaderQuery)
export class FindReaderHandler implements IQueryHandler<FindReaderQuery> {
  constructor(private readonly readers: ReaderRepository) {}
  async execute(query: FindReaderQuery): Promise<Reader> {
    return this.readers.findOne(query.id);
  }
}

@Injectable()
export class LendingSagas {
  @Saga()
  remindBorrowers = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(BookLentEvent),
      map((event) => new SendReminderCommand(event.readerId, REMINDER)),
    );
}

// Failures: where a FailingCommand fails is chosen by the caller.
export type FailAt = 'command' | 'event' | 'saga';
export class FailingCommand {
  constructor(readonly failAt: FailAt) {}
}
export class FailureRequestedEvent {
  constructor(readonly failAt: FailAt) {}
}

@CommandHandler(FailingCommand)
export class FailingCommandHandler implements ICommandHandler<FailingCommand> {
  constructor(private readonly eventBus: EventBus) {}
  async execute(command: FailingCommand): Promise<void> {
    if (command.failAt === 'command') throw new Error('failed in the command handler');
    void this.eventBus.publish(new FailureRequestedEvent(command.failAt));
  }
}

@EventsHandler(FailureRequestedEvent)
export class FailureRequestedHandler implements IEventHandler<FailureRequestedEvent> {
  async handle(event: FailureRequestedEvent): Promise<void> {
    if (event.failAt === 'event') throw new Error('failed in the event handler');
  }
}

@Injectable()
export class FailingSagas {
  @Saga()
  failOnRequest = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(FailureRequestedEvent),
      mergeMap((event) => {
        if (event.failAt === 'saga') throw new Error('failed in the saga');
        return of();
      }),
    );
}

@Module({
  providers: [
    ReaderRepository,
    LendBookHandler,
    SendReminderHandler,
    BookLentHandler,
    ShelfSpaceFreedHandler,
    ReminderSentHandler,
    ListReadersHandler,
    FindReaderHandler,
    LendingSagas,
  ],
})
export class LendingModule {}

@Module({ providers: [CatalogueClosedHandler] })
export class CatalogueModule {}

@Module({
  imports: [LendingModule, CatalogueModule, CqrsModule.forRoot()],
  providers: [FailingCommandHandler, FailureRequestedHandler, FailingSagas],
})
export class LibraryAppModule {}
