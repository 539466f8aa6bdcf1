import { Injectable } from '@nestjs/common';
import {
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
} from '@cello/event-sourcing';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';
import { QueryBus } from '@cello/cqrs/query-bus';
import { bootCqrsApp } from '../testing/boot-cqrs-app';
import { withPosition, type CommandResult } from '@cello/cqrs/sync/command-result';

@EventType('cqrs-test.NoteWritten')
class NoteWritten extends Event {
  constructor(
    readonly noteId: string,
    readonly text: string,
  ) {
    super();
  }
  override get streamId(): string {
    return `note-${this.noteId}`;
  }
}

class WriteNoteCommand extends Command<CommandResult<string>> {
  constructor(
    readonly noteId: string,
    readonly text: string,
  ) {
    super();
  }
}

class GetNoteQuery extends Query<string | undefined> {
  constructor(readonly noteId: string) {
    super();
  }
}

/** The read model: an in-memory table fed by a deliberately slow projection. */
@Injectable()
@EventSubscriber({ name: 'notes-projection' })
class NotesProjection {
  readonly rows = new Map<string, string>();
  @EventHandler(NoteWritten)
  async onWritten(event: NoteWritten): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 30));
    this.rows.set(event.noteId, event.text);
  }
}

@CommandHandler(WriteNoteCommand)
class WriteNoteHandler {
  constructor(private readonly events: EventStore) {}
  async execute(command: WriteNoteCommand): Promise<CommandResult<string>> {
    const appended = await this.events.append(new NoteWritten(command.noteId, command.text));
    return withPosition(command.noteId, appended);
  }
}

@QueryHandler(GetNoteQuery)
class GetNoteHandler {
  constructor(private readonly notes: NotesProjection) {}
  async execute(query: GetNoteQuery): Promise<string | undefined> {
    return this.notes.rows.get(query.noteId);
  }
}

function bootNotes() {
  return bootCqrsApp(
    { enableEventSync: true },
    {
      imports: [EventSourcingModule.forRoot({ storage: 'memory', events: [NoteWritten] })],
      providers: [NotesProjection, WriteNoteHandler, GetNoteHandler],
    },
  );
}

describe('read-your-writes', () => {
  describe('when a query waits for the position its command wrote', () => {
    it('should see the write in the read model', async () => {
      // Given
      const app = await bootNotes();
      const commands = app.get(CommandBus);
      const queries = app.get(QueryBus);
      // When
      const written = await commands.dispatch(new WriteNoteCommand('n1', 'hello'));
      const second = await commands.dispatch(new WriteNoteCommand('n2', 'world'));
      const text = await queries.dispatch(new GetNoteQuery(second.result), {
        waitForPosition: second.position,
        subscribers: ['notes-projection'],
      });
      // Then
      expect(second.position).toBeGreaterThan(written.position);
      expect(text).toBe('world');
      await app.close();
    });
  });

  describe('when the read model does not reach the position in time', () => {
    it('should fail after waitTimeoutMs naming the lagging projection', async () => {
      // Given
      const app = await bootNotes();
      // When: a position that was never written
      const dispatched = app
        .get(QueryBus)
        .dispatch(new GetNoteQuery('n1'), { waitForPosition: 1_000, waitTimeoutMs: 50 });
      // Then
      await expect(dispatched).rejects.toMatchObject({ name: 'WaitForPositionTimeoutError' });
      await expect(dispatched).rejects.toThrow(/notes-projection/);
      await app.close();
    });
  });

  describe("when the caller's signal aborts while the query waits for a position", () => {
    it('should reject with the signal reason and not run the query', async () => {
      // Given a query waiting for a position that will not come within its 10 s bound
      const app = await bootNotes();
      const handler = app.get(GetNoteHandler);
      const executed = jest.spyOn(handler, 'execute');
      const caller = new AbortController();
      const dispatched = app.get(QueryBus).dispatch(new GetNoteQuery('n1'), {
        waitForPosition: 1_000,
        waitTimeoutMs: 10_000,
        signal: caller.signal,
      });
      // When the client goes away
      setTimeout(() => caller.abort(new Error('client went away')), 20);
      // Then
      await expect(dispatched).rejects.toThrow('client went away');
      expect(executed).not.toHaveBeenCalled();
      await app.close();
    });
  });
});
