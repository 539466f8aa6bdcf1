import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Event, EventSourcingModule, EventStore, EventType } from '@cello/event-sourcing';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { Saga, SagaModule, SagaRunner, SagaStep, type SagaStepExecution } from '@cello/saga';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import type { ICommandHandler } from '@cello/cqrs/handlers/message-handler';
import { Command } from '@cello/cqrs/message/command';
import { eventually } from '../../../support/eventually';

@EventType('saga-correlation.Noted')
class Noted extends Event {
  constructor(readonly step: string) {
    super();
  }
}

class NoteCommand extends Command<void> {
  constructor(
    readonly streamId: string,
    readonly step: string,
  ) {
    super();
  }
}

class FulfilCommand extends Command<void> {
  constructor(
    readonly id: string,
    readonly background: boolean,
  ) {
    super();
  }
}

interface NoteContext {
  id: string;
}

@Saga('CorrelationNoteSaga')
@Injectable()
class NoteSaga {
  constructor(private readonly commands: CommandBus) {}

  @SagaStep({ name: 'first' })
  async first({ context }: SagaStepExecution<NoteContext>): Promise<void> {
    await this.commands.dispatch(new NoteCommand(`noted-${context.id}`, 'first'));
  }

  @SagaStep({ name: 'second' })
  async second({ context }: SagaStepExecution<NoteContext>): Promise<void> {
    await this.commands.dispatch(new NoteCommand(`noted-${context.id}`, 'second'));
  }
}

@Saga('CorrelationDirectSaga')
@Injectable()
class DirectSaga {
  constructor(private readonly events: EventStore) {}

  @SagaStep({ name: 'write' })
  async write({ context }: SagaStepExecution<NoteContext>): Promise<void> {
    await this.events.append(`direct-${context.id}`, new Noted('write'));
  }
}

@CommandHandler(NoteCommand)
class NoteHandler implements ICommandHandler<NoteCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: NoteCommand): Promise<void> {
    await this.events.append(command.streamId, new Noted(command.step));
  }
}

@CommandHandler(FulfilCommand)
class FulfilHandler implements ICommandHandler<FulfilCommand> {
  constructor(private readonly sagas: SagaRunner) {}

  async execute(command: FulfilCommand): Promise<void> {
    const context: NoteContext = { id: command.id };
    if (command.background) await this.sagas.start(NoteSaga, context);
    else await this.sagas.execute(NoteSaga, context);
  }
}

describe("saga steps carry the starting command's correlation id on", () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({ storage: new MemoryEventStorage(), events: [Noted] }),
        CqrsModule.forRoot(),
        SagaModule.forRoot({ retryDelay: 0.001, recovery: false }),
      ],
      providers: [NoteSaga, DirectSaga, NoteHandler, FulfilHandler],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
  });

  afterAll(async () => {
    await app?.close();
  });

  describe.each([
    ['run to its end (execute)', false],
    ['started in the background (start)', true],
  ])('when a command handler runs a saga %s', (_, background) => {
    it("should store the request's correlation id on the events of every step's command", async () => {
      // When
      const id = background ? 'bg' : 'fg';
      await app.get(CommandBus).dispatch(new FulfilCommand(id, background), {
        request: { headers: { 'x-correlation-id': `request-${id}` } },
      });
      // Then
      const events = await eventually(async () => {
        const read = await app.get(EventStore).readStream(`noted-${id}`);
        expect(read).toHaveLength(2);
        return read;
      }, 20_000);
      expect(events.map((event) => event.metadata.correlationId)).toEqual([
        `request-${id}`,
        `request-${id}`,
      ]);
      const causes = events.map((event) => event.metadata.causationId);
      expect(causes[0]).toEqual(expect.any(String));
      expect(causes[0]).not.toBe(causes[1]);
    });
  });

  describe('when a step appends itself, in a saga started outside any command', () => {
    it("should store the saga id as correlation and the step's key as cause", async () => {
      // When
      const result = await app.get(SagaRunner).execute(DirectSaga, { id: 'plain' });
      // Then
      const [event] = await app.get(EventStore).readStream('direct-plain');
      expect(event.metadata).toEqual({
        correlationId: result.sagaId,
        causationId: `${result.sagaId}:write`,
      });
    });
  });
});
