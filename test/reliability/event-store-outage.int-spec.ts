import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import {
  Event,
  EventStore,
  EventSourcingModule,
  EventStoreUnavailableError,
  EventType,
} from '@cello/event-sourcing';
import { eventually } from '../support/eventually';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';

@EventType('MeterRead')
class MeterRead extends Event {
  constructor(
    readonly meterId: string,
    readonly value: number,
  ) {
    super();
  }
}

describe('the event store when its PostgreSQL goes away', () => {
  let postgres: PrivatePostgres;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  });

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  afterAll(async () => {
    await postgres.destroy();
  });

  async function boot(): Promise<EventStore> {
    moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({ storage: postgres.url, events: [MeterRead] })],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    return moduleRef.get(EventStore);
  }

  it('should start while the database is down and connect when it appears', async () => {
    // Given
    await postgres.stop();
    const store = await boot();
    // When: the database is still down
    const whileDown = await store
      .append('meter-1', [new MeterRead('meter-1', 1)])
      .catch((e: unknown) => e);
    await postgres.start();
    // Then
    expect(whileDown).toBeInstanceOf(EventStoreUnavailableError);
    await eventually(() => store.append('meter-1', [new MeterRead('meter-1', 2)]), 5000);
    const events = await store.readStream('meter-1');
    expect(events.map((e) => (e.event as MeterRead).value)).toEqual([2]);
  });

  it('should fail appends under load with EventStoreUnavailableError during an outage, then recover and lose nothing acknowledged', async () => {
    // Given: a steady load of appends
    const store = await boot();
    const acknowledged: number[] = [];
    const failures: unknown[] = [];
    let running = true;
    let next = 0;
    const writer = async (): Promise<void> => {
      while (running) {
        const value = next++;
        try {
          await store.append(`load-${value % 4}`, [new MeterRead(`load-${value % 4}`, value)]);
          acknowledged.push(value);
        } catch (error) {
          failures.push(error);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    await eventually(async () => {
      if (acknowledged.length < 50) throw new Error('warming up');
    }, 10_000);
    // When: the database stops under load, then comes back
    await postgres.stop();
    await eventually(async () => {
      if (failures.length < 8) throw new Error('no failures yet');
    }, 10_000);
    await postgres.start();
    const ackedBeforeRecovery = acknowledged.length;
    await eventually(async () => {
      if (acknowledged.length < ackedBeforeRecovery + 50) throw new Error('not recovered');
    }, 5000);
    running = false;
    await Promise.all(writers);
    // Then: every failure was the typed error, and every acknowledged append is stored once
    expect(failures.every((f) => f instanceof EventStoreUnavailableError)).toBe(true);
    const stored = (await store.readAll({ limit: 100_000 }))
      .filter((e) => e.streamId.startsWith('load-'))
      .map((e) => (e.event as MeterRead).value);
    expect(new Set(stored).size).toBe(stored.length);
    for (const value of acknowledged) expect(stored).toContain(value);
  });
});
