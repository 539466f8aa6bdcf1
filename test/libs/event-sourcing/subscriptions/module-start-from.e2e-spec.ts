// `EventSourcingModule.forRoot({ subscriptions: { startFrom } })` is the module-wide default of
// `@EventSubscriber({ startFrom })`, as libs/event-sourcing/README.md documents.
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
  MemoryEventStorage,
  SubscriptionManager,
  type SubscriptionEnvelope,
} from '@cello/event-sourcing';

@EventType('ModuleStartFrom.TicketOpened')
class TicketOpened extends Event {
  constructor(readonly ticketId: string) {
    super();
  }

  override get streamId(): string {
    return this.ticketId;
  }
}

/** Takes its start from the module's default. */
@Injectable()
class TicketLog {
  readonly seen: string[] = [];

  @EventHandler(TicketOpened)
  onOpened(event: TicketOpened): void {
    this.seen.push(event.ticketId);
  }
}

/** Its own `startFrom` wins over the module's. */
@Injectable()
@EventSubscriber({ name: 'ticket-archive', startFrom: 'beginning' })
class TicketArchive {
  readonly seen: number[] = [];

  @EventHandler(TicketOpened)
  onOpened(_event: TicketOpened, envelope: SubscriptionEnvelope): void {
    this.seen.push(envelope.position);
  }
}

describe('when EventSourcingModule.forRoot sets subscriptions.startFrom', () => {
  let storage: MemoryEventStorage;
  let app: TestingModule | undefined;
  let writer: TestingModule | undefined;

  beforeEach(() => {
    storage = new MemoryEventStorage();
  });

  afterEach(async () => {
    // The storage closes with the first module closed: the app's subscribers stop first.
    await app?.close();
    await writer?.close();
    app = writer = undefined;
  });

  async function boot(startFrom: 'beginning' | 'end' | number): Promise<TestingModule> {
    const booting = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage,
          events: [TicketOpened],
          subscriptions: { startFrom, pollIntervalMs: 20 },
        }),
      ],
      providers: [TicketLog, TicketArchive],
    }).compile();
    await booting.init();
    app = booting;
    return booting;
  }

  /** Appends the old events with a module of its own (no subscribers), as an earlier deployment did. */
  async function appendBeforeStart(...ticketIds: string[]): Promise<void> {
    writer = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage,
          events: [TicketOpened],
          subscriptions: { autoStart: false },
        }),
      ],
    }).compile();
    await writer.init();
    for (const id of ticketIds) await writer.get(EventStore).append(new TicketOpened(id));
  }

  it("should start a subscriber without its own startFrom at the end of the log with 'end'", async () => {
    // Given
    await appendBeforeStart('old-1', 'old-2');
    const running = await boot('end');
    // When
    const { positions } = await running.get(EventStore).append(new TicketOpened('new-1'));
    await running
      .get(SubscriptionManager)
      .waitForPosition(positions.at(-1)!, { timeoutMs: 20_000 });
    // Then
    expect(running.get(TicketLog).seen).toEqual(['new-1']);
    expect(running.get(TicketArchive).seen).toHaveLength(3);
  });

  it('should start after the given position with a number', async () => {
    await appendBeforeStart('old-1', 'old-2', 'old-3');
    const running = await boot(2);
    const { positions } = await running.get(EventStore).append(new TicketOpened('new-1'));
    await running
      .get(SubscriptionManager)
      .waitForPosition(positions.at(-1)!, { timeoutMs: 20_000 });
    expect(running.get(TicketLog).seen).toEqual(['old-3', 'new-1']);
  });

  it('should refuse an invalid module-wide startFrom at start-up', async () => {
    await expect(boot(-1)).rejects.toThrow(
      /startFrom must be 'beginning', 'end' or a position >= 0, got -1/,
    );
  });
});
