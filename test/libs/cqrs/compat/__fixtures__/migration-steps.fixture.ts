// The lending library of an @nestjs/cqrs app, at each step of the way to Cello
// ("Moving from @nestjs/cqrs" in libs/cqrs/README.md). Each step changes a few
// classes; the rest of the app is the same.
import { Injectable, Module, type Provider } from '@nestjs/common';
import {
  Aggregate,
  AggregateNotFoundError,
  AggregateRoot as EventSourcedAggregate,
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
} from '@cello/event-sourcing';
import { isCelloError } from '@cello/core';
import {
  Saga as PersistedSaga,
  SagaModule,
  SagaRunner,
  SagaStep,
  type SagaStepExecution,
} from '@cello/saga';
import { type Observable, map } from 'rxjs';
import {
  AggregateRoot,
  CommandBus,
  CommandHandler,
  CqrsModule,
  EventBus,
  EventPublisher,
  EventsHandler,
  type ICommand,
  type ICommandHandler,
  type IEvent,
  type IEventHandler,
  Saga,
  ofType,
} from '@cello/cqrs/compat';

/** What ran, in order, for the tests to read. */
@Injectable()
export class Journal {
  readonly entries: string[] = [];
  note(entry: string): void {
    this.entries.push(entry);
  }
}

// ---- step 1: the events become Cello events, appended to the stream their `streamId` names

/** Stream id convention: the id of the aggregate the event is about (here, the reader). */
@EventType('library.BookLent')
export class BookLentEvent extends Event {
  constructor(
    readonly readerId: string,
    readonly bookId: string,
  ) {
    super();
  }
  override get streamId(): string {
    return this.readerId;
  }
}

@EventType('library.ReminderSent')
export class ReminderSentEvent extends Event {
  constructor(readonly readerId: string) {
    super();
  }
  override get streamId(): string {
    return this.readerId;
  }
}

/** An event class that forgot its stream: publishing it fails, and nothing is delivered. */
@EventType('library.ShelfDusted')
export class ShelfDustedEvent extends Event {}

export class LendBookCommand {
  constructor(
    readonly readerId: string,
    readonly bookId: string,
  ) {}
}
export class SendReminderCommand {
  constructor(readonly readerId: string) {}
}
export class DustShelfCommand {}

// Unchanged @nestjs/cqrs code: an AggregateRoot, merged and committed.
export class Reader extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
  borrow(bookId: string): void {
    this.apply(new BookLentEvent(this.id, bookId));
  }
}

@CommandHandler(LendBookCommand)
export class LendBookHandler implements ICommandHandler<LendBookCommand> {
  constructor(private readonly publisher: EventPublisher) {}
  async execute(command: LendBookCommand): Promise<void> {
    const reader = this.publisher.mergeObjectContext(new Reader(command.readerId));
    reader.borrow(command.bookId);
    reader.commit();
  }
}

@CommandHandler(SendReminderCommand)
export class SendReminderHandler implements ICommandHandler<SendReminderCommand> {
  constructor(
    private readonly eventBus: EventBus,
    private readonly journal: Journal,
  ) {}
  async execute(command: SendReminderCommand): Promise<void> {
    this.journal.note(`reminded ${command.readerId}`);
    await this.eventBus.publish(new ReminderSentEvent(command.readerId));
  }
}

@CommandHandler(DustShelfCommand)
export class DustShelfHandler implements ICommandHandler<DustShelfCommand> {
  constructor(private readonly eventBus: EventBus) {}
  async execute(): Promise<void> {
    await this.eventBus.publish(new ShelfDustedEvent());
  }
}

@EventsHandler(BookLentEvent)
export class ShelfOnLentHandler implements IEventHandler<BookLentEvent> {
  constructor(private readonly journal: Journal) {}
  handle(event: BookLentEvent): void {
    this.journal.note(`in-process shelf freed ${event.bookId}`);
  }
}

@EventsHandler(ReminderSentEvent, ShelfDustedEvent)
export class ActivityLogHandler implements IEventHandler<ReminderSentEvent | ShelfDustedEvent> {
  constructor(private readonly journal: Journal) {}
  handle(event: ReminderSentEvent | ShelfDustedEvent): void {
    this.journal.note(`logged ${event.constructor.name}`);
  }
}

@Injectable()
export class RemindingSagas {
  @Saga()
  remind = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(BookLentEvent),
      map((event) => new SendReminderCommand(event.readerId)),
    );
}

// ---- step 2: one @EventsHandler becomes a durable subscriber (reads the store, checkpointed)

@Injectable()
@EventSubscriber({ name: 'library-shelf' })
export class ShelfProjection {
  constructor(private readonly journal: Journal) {}
  @EventHandler(BookLentEvent)
  onLent(event: BookLentEvent): void {
    this.journal.note(`durable shelf freed ${event.bookId}`);
  }
}

// ---- step 3: the AggregateRoot becomes an event-sourced Aggregate, loaded from its stream

@EventSourcedAggregate({ type: 'library.Reader' })
export class ReaderAggregate extends Aggregate {
  loans = 0;

  static open(id: string): ReaderAggregate {
    const reader = new ReaderAggregate();
    reader.id = id;
    return reader;
  }
  borrow(bookId: string): void {
    this.apply(new BookLentEvent(this.id, bookId));
  }
  @EventHandler(BookLentEvent)
  onLent(): void {
    this.loans += 1;
  }
  @EventHandler(ReminderSentEvent)
  onReminded(): void {}
}

@CommandHandler(LendBookCommand)
export class EventSourcedLendBookHandler implements ICommandHandler<LendBookCommand> {
  constructor(
    private readonly store: EventStore,
    private readonly eventBus: EventBus,
    private readonly journal: Journal,
  ) {}
  async execute(command: LendBookCommand): Promise<void> {
    const reader = await this.store
      .load(ReaderAggregate, command.readerId)
      .catch((error: unknown) => {
        if (isCelloError(error, AggregateNotFoundError.code)) {
          return ReaderAggregate.open(command.readerId);
        }
        throw error;
      });
    reader.borrow(command.bookId);
    this.journal.note(`loans of ${reader.id}: ${reader.loans}`);
    const saved = [...reader.uncommittedEvents];
    await this.store.save(reader);
    // Until every handler and saga of these events is durable: they are stored already,
    // so this publish appends nothing (same event ids) and only reaches the in-process ones.
    await this.eventBus.publishAll(saved);
  }
}

// ---- step 4: the observable saga becomes a persisted saga, started by a durable subscriber

@PersistedSaga('library-reminder')
@Injectable()
export class ReminderSaga {
  constructor(private readonly commandBus: CommandBus) {}
  @SagaStep()
  async remind({ context }: SagaStepExecution<{ readerId: string }>): Promise<void> {
    await this.commandBus.execute(new SendReminderCommand(context.readerId));
  }
}

@Injectable()
@EventSubscriber({ name: 'library-reminder-starter' })
export class ReminderStarter {
  constructor(private readonly sagas: SagaRunner) {}
  @EventHandler(BookLentEvent)
  async onLent(event: BookLentEvent): Promise<void> {
    // The event id makes a redelivered event start nothing new.
    await this.sagas.start(
      ReminderSaga,
      { readerId: event.readerId },
      { sagaId: `remind:${event.eventId}` },
    );
  }
}

export type MigrationStep = 1 | 2 | 3 | 4;

/** The app at `step`: what each step replaced is gone, the rest is as before. */
export function libraryAppAt(step: MigrationStep, databaseUrl: string) {
  const providers: Provider[] = [
    Journal,
    SendReminderHandler,
    DustShelfHandler,
    ActivityLogHandler,
  ];
  providers.push(step >= 3 ? EventSourcedLendBookHandler : LendBookHandler);
  providers.push(step >= 2 ? ShelfProjection : ShelfOnLentHandler);
  providers.push(...(step >= 4 ? [ReminderSaga, ReminderStarter] : [RemindingSagas]));
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({
        storage: databaseUrl,
        aggregates: step >= 3 ? [ReaderAggregate] : [],
        events: [BookLentEvent, ReminderSentEvent, ShelfDustedEvent],
        subscriptions: { pollIntervalMs: 100 },
      }),
      ...(step >= 4 ? [SagaModule.forRoot({ storage: databaseUrl, recovery: false })] : []),
    ],
    providers,
  })
  class LibraryAppModule {}
  return LibraryAppModule;
}
