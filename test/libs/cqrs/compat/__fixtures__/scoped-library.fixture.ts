// Request-scoped handlers: the AsyncContext of a command follows its events and a saga's command.
import { Inject, Injectable, Module, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { type Observable, map } from 'rxjs';
import {
  AggregateRoot,
  AsyncContext,
  CommandHandler,
  CqrsModule,
  EventPublisher,
  EventsHandler,
  type ICommand,
  type ICommandHandler,
  type IEvent,
  type IEventHandler,
  type IQueryHandler,
  QueryHandler,
  Saga,
  ofType,
} from '@cello/cqrs/compat';

export const MEMBER_ID = 'member-3';
export const RENEWAL = 'renewed for 7 days';

export class ScopedLendBookCommand {
  constructor(
    readonly memberId: string,
    readonly bookId: string,
  ) {}
}
export class ScopedRenewLoanCommand {
  constructor(
    readonly memberId: string,
    readonly note: string,
  ) {}
}
export class ScopedBookLentEvent {
  constructor(
    readonly memberId: string,
    readonly bookId: string,
  ) {}
}
export class ScopedLoanRenewedEvent {
  constructor(
    readonly memberId: string,
    readonly note: string,
  ) {}
}
export class ScopedListMembersQuery {}

export class Member extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
  borrow(bookId: string): void {
    this.apply(new ScopedBookLentEvent(this.id, bookId));
  }
  renew(note: string): void {
    this.apply(new ScopedLoanRenewedEvent(this.id, note));
  }
}

@CommandHandler(ScopedLendBookCommand, { scope: Scope.REQUEST })
export class ScopedLendBookHandler implements ICommandHandler<ScopedLendBookCommand> {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(REQUEST) readonly context: AsyncContext,
  ) {}
  async execute(command: ScopedLendBookCommand): Promise<{ memberId: string; bookId: string }> {
    const member = this.publisher.mergeObjectContext(new Member(command.memberId), this.context);
    member.borrow(command.bookId);
    member.commit();
    return { memberId: command.memberId, bookId: command.bookId };
  }
}

@CommandHandler(ScopedRenewLoanCommand, { scope: Scope.REQUEST })
export class ScopedRenewLoanHandler implements ICommandHandler<ScopedRenewLoanCommand> {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(REQUEST) readonly context: AsyncContext,
  ) {}
  async execute(command: ScopedRenewLoanCommand): Promise<void> {
    const member = this.publisher.mergeObjectContext(new Member(command.memberId), this.context);
    member.renew(command.note);
    member.commit();
  }
}

@EventsHandler(ScopedBookLentEvent, { scope: Scope.REQUEST })
export class ScopedBookLentHandler implements IEventHandler<ScopedBookLentEvent> {
  constructor(@Inject(REQUEST) readonly context: AsyncContext) {}
  handle(): void {}
}

@EventsHandler(ScopedLoanRenewedEvent, { scope: Scope.REQUEST })
export class ScopedLoanRenewedHandler implements IEventHandler<ScopedLoanRenewedEvent> {
  constructor(@Inject(REQUEST) readonly context: AsyncContext) {}
  handle(): void {}
}

@QueryHandler(ScopedListMembersQuery, { scope: Scope.REQUEST })
export class ScopedListMembersHandler implements IQueryHandler<ScopedListMembersQuery> {
  constructor(@Inject(REQUEST) readonly context: AsyncContext) {}
  async execute(): Promise<Member[]> {
    return [new Member(MEMBER_ID)];
  }
}

@Injectable()
export class ScopedLendingSagas {
  @Saga()
  renewLoans = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(ScopedBookLentEvent),
      map((event) => {
        const command = new ScopedRenewLoanCommand(event.memberId, RENEWAL);
        // The saga's command runs in the context of the command that led to the event.
        AsyncContext.merge(event, command);
        return command;
      }),
    );
}

@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    ScopedLendBookHandler,
    ScopedRenewLoanHandler,
    ScopedBookLentHandler,
    ScopedLoanRenewedHandler,
    ScopedListMembersHandler,
    ScopedLendingSagas,
  ],
})
export class ScopedLibraryAppModule {}
