import { Injectable, Module, Scope } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Event, EventType } from '@cello/event-sourcing';
import type { Observable } from 'rxjs';
import {
  AggregateRoot,
  CqrsModule,
  EventPublisher,
  EventsHandler,
  type IEventHandler,
  InvalidSagaException,
  Saga,
  UnsupportedSagaScopeException,
} from '@cello/cqrs/compat';

class Opened {
  constructor(readonly id: string) {}
}
class Closed {}

/** A Cello event: without EventSourcingModule it stays in-process, like a plain one. */
@EventType('compat-test.Renamed')
class Renamed extends Event {
  constructor(readonly name: string) {
    super();
  }
}

class Account extends AggregateRoot {
  opened = 0;
  constructor(readonly id: string) {
    super();
  }
  open(): void {
    this.apply(new Opened(this.id));
  }
  close(): void {
    this.apply(new Closed());
  }
  rename(name: string): void {
    this.apply(new Renamed(name));
  }
  onOpened(): void {
    this.opened += 1;
  }
}

@EventsHandler(Opened, Closed, Renamed)
class Recorder implements IEventHandler {
  seen: object[] = [];
  handle(event: object): void {
    this.seen.push(event);
  }
}

@Module({ imports: [CqrsModule.forRoot()], providers: [Recorder] })
class AppModule {}

async function boot() {
  const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init();
  return { app, publisher: app.get(EventPublisher), seen: app.get(Recorder).seen };
}

describe('@cello/cqrs/compat: AggregateRoot and EventPublisher', () => {
  it('should call on<EventClass> at apply() and publish only at commit(), once', async () => {
    const { app, publisher, seen } = await boot();
    const account = publisher.mergeObjectContext(new Account('a1'));
    account.open();
    expect(account.opened).toBe(1);
    expect(account.getUncommittedEvents()).toEqual([new Opened('a1')]);
    expect(seen).toEqual([]);
    account.commit();
    account.commit();
    expect(seen).toEqual([new Opened('a1')]);
    expect(account.getUncommittedEvents()).toEqual([]);
    await app.close();
  });

  it('should replay history without recording or publishing it', async () => {
    const { app, publisher, seen } = await boot();
    const account = publisher.mergeObjectContext(new Account('a2'));
    account.loadFromHistory([new Opened('a2'), new Opened('a2')]);
    account.commit();
    expect(account.opened).toBe(2);
    expect(seen).toEqual([]);
    await app.close();
  });

  it('should publish at once with autoCommit, and drop events with uncommit()', async () => {
    const { app, publisher, seen } = await boot();
    const account = publisher.mergeObjectContext(new Account('a3'));
    account.close();
    account.uncommit();
    account.commit();
    expect(seen).toEqual([]);
    account.autoCommit = true;
    account.close();
    expect(seen).toEqual([new Closed()]);
    await app.close();
  });

  it('should make every instance of a class merged with mergeClassContext publish', async () => {
    const { app, publisher, seen } = await boot();
    const PublishingAccount = publisher.mergeClassContext(Account);
    const account = new PublishingAccount('a4');
    account.open();
    account.commit();
    expect(seen).toEqual([new Opened('a4')]);
    await app.close();
  });

  it('should keep a Cello event in-process when EventSourcingModule is not imported', async () => {
    const { app, publisher, seen } = await boot();
    const account = publisher.mergeObjectContext(new Account('a5'));
    account.rename('savings');
    account.commit();
    expect(seen).toEqual([expect.objectContaining({ name: 'savings' })]);
    await app.close();
  });
});

describe('@cello/cqrs/compat: sagas that cannot run', () => {
  async function bootWith(provider: object) {
    @Module({ imports: [CqrsModule.forRoot()], providers: [provider as never] })
    class SagaAppModule {}
    const app = await Test.createTestingModule({ imports: [SagaAppModule] }).compile();
    return app.init();
  }

  it('should fail start-up on @Saga() streams in a request-scoped class', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class ScopedSagas {
      @Saga()
      never = (events$: Observable<unknown>) => events$;
    }
    await expect(bootWith(ScopedSagas)).rejects.toBeInstanceOf(UnsupportedSagaScopeException);
  });

  it('should fail start-up on a @Saga() that does not return an Observable', async () => {
    @Injectable()
    class BrokenSagas {
      @Saga()
      broken = () => 'not a stream';
    }
    await expect(bootWith(BrokenSagas)).rejects.toThrow(InvalidSagaException);
  });
});
