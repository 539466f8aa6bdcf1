import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { isCelloError } from '@cello/core';
import {
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventStoreUnavailableError,
  EventSubscriber,
  EventType,
  PostgresEventStorage,
  SubscriptionManager,
  type SubscriptionEnvelope,
} from '@cello/event-sourcing';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { serverProcesses, signal } from './shared/freeze-postgres';

@EventType('FrozenReading')
class Reading extends Event {
  constructor(readonly value: number) {
    super();
  }
}

/** Counts deliveries per event id. */
@Injectable()
@EventSubscriber({ name: 'frozen-reading-counter' })
class ReadingCounter {
  readonly deliveries = new Map<string, number>();

  @EventHandler(Reading)
  on(_event: Reading, envelope: SubscriptionEnvelope): void {
    this.deliveries.set(envelope.eventId, (this.deliveries.get(envelope.eventId) ?? 0) + 1);
  }
}

describe('the event store when its PostgreSQL freezes (answers nothing, closes nothing)', () => {
  let postgres: PrivatePostgres;
  let app: TestingModule | undefined;
  let frozen: number[] = [];

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  });

  afterAll(async () => {
    signal(frozen, 'SIGCONT');
    await app?.close();
    await postgres?.destroy();
  });

  it('should fail appends with EventStoreUnavailableError past the timeout, and store re-sent ones once after the thaw', async () => {
    // Given a module with short timeouts and a subscriber
    app = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage: PostgresEventStorage.fromUrl(postgres.url, {
            statementTimeoutMs: 1000,
            connectionTimeoutMs: 1000,
            poolSize: 4,
          }),
          events: [Reading],
          subscriptions: { pollIntervalMs: 100, leaseTtlMs: 3000 },
        }),
      ],
      providers: [ReadingCounter],
    }).compile();
    app.useLogger(false);
    await app.init();
    const store = app.get(EventStore);
    await store.append('meter-1', [new Reading(0)], { expectedVersion: 0 });

    // When the server freezes and appends are made meanwhile
    frozen = await serverProcesses(postgres.url);
    signal(frozen, 'SIGSTOP');
    const attempts = Array.from({ length: 8 }, (_, i) => ({
      streamId: `meter-${(i % 2) + 1}`,
      event: new Reading(i + 1),
    }));
    const outcomes = await Promise.allSettled(
      attempts.map(({ streamId, event }) => store.append(streamId, [event])),
    );

    // Then every one of them settled while frozen, with the typed error
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(attempts.length);
    expect(refused.filter((o) => !isCelloError(o.reason, EventStoreUnavailableError.code))).toEqual(
      [],
    );

    // When it thaws, and the client re-sends what it could not confirm (same event ids)
    signal(frozen, 'SIGCONT');
    frozen = [];
    const deadline = Date.now() + 10_000;
    for (const { streamId, event } of attempts) {
      for (;;) {
        try {
          await store.append(streamId, [event]);
          break;
        } catch (error) {
          if (!isCelloError(error, EventStoreUnavailableError.code) || Date.now() > deadline) {
            throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }

    // Then each event is stored exactly once, even those the frozen server ran late
    const stored = [
      ...(await store.readStream<Reading>('meter-1')),
      ...(await store.readStream<Reading>('meter-2')),
    ];
    const values = stored.map((e) => e.event.value).sort((a, b) => a - b);
    expect(values).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // ... and the subscriber resumed and saw each once
    const head = Math.max(...stored.map((e) => e.position));
    await app.get(SubscriptionManager).waitForPosition(head, { timeoutMs: 15_000 });
    const counter = app.get(ReadingCounter);
    expect(stored.map((e) => counter.deliveries.get(e.eventId))).toEqual(stored.map(() => 1));
  }, 60_000);
});
