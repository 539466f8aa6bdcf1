import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
  type RecordedEvent,
} from '@cello/event-sourcing';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import type { ICommandHandler } from '@cello/cqrs/handlers/message-handler';
import { Command } from '@cello/cqrs/message/command';
import { eventually } from '../../../support/eventually';

@EventType('correlation-test.Placed')
class Placed extends Event {
  constructor(readonly id: string) {
    super();
  }
}

@EventType('correlation-test.Notified')
class Notified extends Event {
  constructor(readonly id: string) {
    super();
  }
}

class PlaceCommand extends Command<void> {
  constructor(
    readonly id: string,
    readonly metadata?: Record<string, unknown>,
    readonly own?: Record<string, unknown>,
  ) {
    super();
  }
}

class NotifyCommand extends Command<void> {
  constructor(readonly id: string) {
    super();
  }
}

@CommandHandler(PlaceCommand)
class PlaceHandler implements ICommandHandler<PlaceCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: PlaceCommand): Promise<void> {
    const event = new Placed(command.id);
    if (command.own) event.withMetadata(command.own);
    await this.events.append(`placed-${command.id}`, event, { metadata: command.metadata });
  }
}

@CommandHandler(NotifyCommand)
class NotifyHandler implements ICommandHandler<NotifyCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: NotifyCommand): Promise<void> {
    await this.events.append(`notified-${command.id}`, new Notified(command.id));
  }
}

@Injectable()
@EventSubscriber({ name: 'correlation-test-notifier' })
class Notifier {
  constructor(private readonly commands: CommandBus) {}

  @EventHandler(Placed)
  async onPlaced(event: Placed): Promise<void> {
    await this.commands.dispatch(new NotifyCommand(event.id));
  }
}

describe('correlation and causation ids on the memory store', () => {
  let app: INestApplication;
  let commands: CommandBus;
  let store: EventStore;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage: new MemoryEventStorage(),
          events: [Placed, Notified],
          subscriptions: { autoStart: true, pollIntervalMs: 20 },
        }),
        CqrsModule.forRoot(),
      ],
      providers: [PlaceHandler, NotifyHandler, Notifier],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    commands = app.get(CommandBus);
    store = app.get(EventStore);
  });

  afterAll(async () => {
    await app?.close();
  });

  async function only(streamId: string): Promise<RecordedEvent> {
    const events = await store.readStream(streamId);
    expect(events).toHaveLength(1);
    return events[0];
  }

  describe('when a command is dispatched with a request naming x-correlation-id', () => {
    it('should store the correlation id and a causation id on the events it appends', async () => {
      // When
      await commands.dispatch(new PlaceCommand('a'), {
        request: { headers: { 'x-correlation-id': 'abc' } },
      });
      // Then
      const { metadata } = await only('placed-a');
      expect(metadata).toEqual({ correlationId: 'abc', causationId: expect.any(String) });
      expect(metadata.causationId).not.toBe('abc');
    });
  });

  describe('when the request has only a W3C traceparent', () => {
    it('should use the trace id as the correlation id', async () => {
      // When
      await commands.dispatch(new PlaceCommand('b'), {
        request: {
          headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        },
      });
      // Then
      expect((await only('placed-b')).metadata.correlationId).toBe(
        '4bf92f3577b34da6a3ce929d0e0e4736',
      );
    });
  });

  describe('when the command is dispatched without a request', () => {
    it('should give it a new correlation id, different per dispatch', async () => {
      // When
      await commands.dispatch(new PlaceCommand('c1'));
      await commands.dispatch(new PlaceCommand('c2'));
      // Then
      const first = (await only('placed-c1')).metadata;
      const second = (await only('placed-c2')).metadata;
      expect(first.correlationId).toEqual(expect.any(String));
      expect(first.correlationId).not.toBe(second.correlationId);
      expect(first.causationId).not.toBe(second.causationId);
    });
  });

  describe('when the handler passes metadata of its own', () => {
    it('should let the append metadata win over the ambient ids, and the event metadata over both', async () => {
      // When
      await commands.dispatch(
        new PlaceCommand('d', { correlationId: 'explicit', user: 'ann' }, { user: 'bob', n: 1 }),
        { request: { headers: { 'x-correlation-id': 'abc' } } },
      );
      // Then
      expect((await only('placed-d')).metadata).toEqual({
        correlationId: 'explicit',
        causationId: expect.any(String),
        user: 'bob',
        n: 1,
      });
    });
  });

  describe('when a subscriber dispatches a command for an event', () => {
    it('should carry the correlation id on, caused by the command the subscriber sent', async () => {
      // When
      await commands.dispatch(new PlaceCommand('e'), {
        request: { headers: { 'x-correlation-id': 'from-request-e' } },
      });
      // Then
      const placed = await only('placed-e');
      const notified = await eventually(async () => {
        const events = await store.readStream('notified-e');
        expect(events).toHaveLength(1);
        return events[0];
      }, 20_000);
      expect(notified.metadata.correlationId).toBe('from-request-e');
      expect(notified.metadata.causationId).toEqual(expect.any(String));
      expect(notified.metadata.causationId).not.toBe(placed.metadata.causationId);
    });
  });

  describe('when events are appended outside any dispatch', () => {
    it('should store no correlation metadata', async () => {
      // When
      await store.append('outside', new Notified('x'));
      // Then
      expect((await only('outside')).metadata).toEqual({});
    });
  });
});
