// The concurrency scenario of the reliability suite, run by one runner per
// backend (memory, PostgreSQL, MariaDB), each on its own fresh database: many
// writers racing on hot streams with optimistic concurrency, writers on their
// own streams, idempotent re-sends, and a subscriber that must see each event
// exactly once.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { isCelloError } from '@cello/core';
import {
  ConcurrencyError,
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
  SubscriptionManager,
  type EventSourcingModuleOptions,
  type SubscriptionEnvelope,
} from '@cello/event-sourcing';

/** The one event type of the scenario: which ticket of the run it carries. */
@EventType('ReliabilityTick')
export class Tick extends Event {
  constructor(
    readonly run: string,
    readonly ticket: number,
  ) {
    super();
  }
}

/** Counts how often each global position was delivered. */
@Injectable()
@EventSubscriber({ name: 'reliability-tick-counter', batchSize: 500 })
export class TickCounter {
  readonly deliveries = new Map<number, number>();
  readonly eventIdAt = new Map<number, string>();

  @EventHandler(Tick)
  onTick(_event: Tick, envelope: SubscriptionEnvelope): void {
    this.deliveries.set(envelope.position, (this.deliveries.get(envelope.position) ?? 0) + 1);
    this.eventIdAt.set(envelope.position, envelope.eventId);
  }
}

/** The same count by a second subscriber reading in small batches (more checkpoints, more reads). */
@Injectable()
@EventSubscriber({ name: 'reliability-tick-counter-small-batches', batchSize: 50 })
export class SmallBatchTickCounter extends TickCounter {}

/** Knobs of one run. */
export interface ConcurrencyScenarioSettings {
  /** Appends acknowledged in all by the racing writers. */
  readonly appends: number;
  /** Appends of the idempotent re-send run (each sent twice). */
  readonly resendAppends: number;
  /** Test timeout of each case, in milliseconds. */
  readonly timeoutMs: number;
  /** Module options (storage) for a fresh app on the runner's own database. */
  readonly options: () => EventSourcingModuleOptions;
}

const WRITERS = 64;
const HOT_STREAMS = 8;
/** Writers 0..HOT_WRITERS-1 share the hot streams; the others write streams of their own. */
const HOT_WRITERS = 48;

/** One acknowledged append: where the store said it put the event. */
interface Acknowledged {
  readonly streamId: string;
  readonly eventId: string;
  readonly version: number;
  readonly position: number;
}

/** What a run did, for the assertions and the report. */
interface RunResult {
  readonly run: string;
  readonly acknowledged: Acknowledged[];
  conflicts: number;
  duplicates: number;
}

function streamsOf(run: string): string[] {
  const hot = Array.from({ length: HOT_STREAMS }, (_, i) => `${run}-hot-${i}`);
  const own = Array.from({ length: WRITERS - HOT_WRITERS }, (_, i) => `${run}-own-${i}`);
  return [...hot, ...own];
}

/**
 * Runs WRITERS concurrent writers until `total` appends are acknowledged. Hot
 * writers append with the version they last saw as `expectedVersion` and retry
 * on `ConcurrencyError` with the version it reports. With `resend`, each
 * append is sent, then sent again with the same event object (a client that
 * timed out), sometimes at once (racing the first), sometimes after it.
 */
async function race(store: EventStore, total: number, resend: boolean): Promise<RunResult> {
  const run = `r${randomUUID().slice(0, 8)}`;
  const result: RunResult = { run, acknowledged: [], conflicts: 0, duplicates: 0 };
  let nextTicket = 0;
  const knownVersion = new Map<string, number>();

  const appendOnce = async (streamId: string, event: Tick, expected: number | 'any') => {
    if (!resend) return store.append(streamId, [event], { expectedVersion: expected });
    if (event.ticket % 2 === 0) {
      // The re-send races the first send.
      const [first, again] = await Promise.allSettled([
        store.append(streamId, [event], { expectedVersion: expected }),
        store.append(streamId, [event], { expectedVersion: expected }),
      ]);
      const done = [first, again].filter((r) => r.status === 'fulfilled').map((r) => r.value);
      if (done.length === 0) throw (first as PromiseRejectedResult).reason;
      const written = done.filter((r) => !r.duplicate);
      expect(written.length).toBeLessThanOrEqual(1);
      if (done.length === 2) {
        result.duplicates += 1;
        expect(done[0].positions).toEqual(done[1].positions);
      }
      return done[0];
    }
    // The re-send comes after the first answer (which the client "lost").
    const first = await store.append(streamId, [event], { expectedVersion: expected });
    const again = await store.append(streamId, [event], { expectedVersion: expected });
    expect(again.duplicate).toBe(true);
    expect(again.positions).toEqual(first.positions);
    result.duplicates += 1;
    return first;
  };

  const writer = async (index: number): Promise<void> => {
    const hot = index < HOT_WRITERS;
    const streamId = hot
      ? `${run}-hot-${index % HOT_STREAMS}`
      : `${run}-own-${index - HOT_WRITERS}`;
    while (nextTicket < total) {
      const event = new Tick(run, nextTicket++);
      for (;;) {
        const expected = hot ? (knownVersion.get(streamId) ?? 0) : 'any';
        try {
          const written = await appendOnce(streamId, event, expected);
          knownVersion.set(
            streamId,
            Math.max(knownVersion.get(streamId) ?? 0, written.streamVersion),
          );
          result.acknowledged.push({
            streamId,
            eventId: event.eventId,
            version: written.streamVersion,
            position: written.positions[0],
          });
          break;
        } catch (error) {
          if (!isCelloError(error, ConcurrencyError.code)) throw error;
          result.conflicts += 1;
          const actual = (error as ConcurrencyError).actual;
          knownVersion.set(streamId, Math.max(knownVersion.get(streamId) ?? 0, actual));
        }
      }
    }
  };

  await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));
  return result;
}

/** Every event of the run in the global log, reading page by page to the end. */
async function readWholeLog(store: EventStore, run: string) {
  const found: { position: number; eventId: string; streamId: string; version: number }[] = [];
  let fromPosition = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition, limit: 2000 });
    if (page.length === 0) return found;
    for (const recorded of page) {
      if (recorded.event instanceof Tick && recorded.event.run === run) {
        found.push({
          position: recorded.position,
          eventId: recorded.eventId,
          streamId: recorded.streamId,
          version: recorded.version,
        });
      }
    }
    fromPosition = page[page.length - 1].position + 1;
  }
}

async function readWholeStream(store: EventStore, streamId: string) {
  const found: { version: number; eventId: string }[] = [];
  for await (const recorded of store.streamEvents(streamId, { pageSize: 1000 })) {
    found.push({ version: recorded.version, eventId: recorded.eventId });
  }
  return found;
}

/** Checks everything the issue promises after a run. */
async function expectNothingLostOrDoubled(app: TestingModule, result: RunResult): Promise<void> {
  const store = app.get(EventStore);
  const acknowledged = result.acknowledged;

  // Every stream's versions are exactly 1..n, holding exactly its acknowledged events.
  for (const streamId of streamsOf(result.run)) {
    const stored = await readWholeStream(store, streamId);
    const mine = acknowledged.filter((a) => a.streamId === streamId);
    expect(stored.map((e) => e.version)).toEqual(
      Array.from({ length: stored.length }, (_, i) => i + 1),
    );
    expect(stored).toHaveLength(mine.length);
    expect(new Set(stored.map((e) => e.eventId))).toEqual(new Set(mine.map((a) => a.eventId)));
  }

  // The global log holds exactly the acknowledged events, each once, where acknowledged.
  const log = await readWholeLog(store, result.run);
  expect(log).toHaveLength(acknowledged.length);
  expect(new Set(log.map((e) => e.eventId)).size).toBe(log.length);
  const byEventId = new Map(log.map((e) => [e.eventId, e]));
  const misplaced = acknowledged.filter((a) => {
    const stored = byEventId.get(a.eventId);
    return (
      !stored ||
      stored.position !== a.position ||
      stored.streamId !== a.streamId ||
      stored.version !== a.version
    );
  });
  expect(misplaced).toEqual([]);

  // The subscriber saw each event exactly once by position after catch-up.
  const head = Math.max(...log.map((e) => e.position));
  await app.get(SubscriptionManager).waitForPosition(head, { timeoutMs: 60_000 });
  for (const counter of [app.get(TickCounter), app.get(SmallBatchTickCounter)]) {
    const missed = log.filter((e) => counter.eventIdAt.get(e.position) !== e.eventId);
    const repeated = log.filter((e) => counter.deliveries.get(e.position) !== 1);
    expect(missed).toEqual([]);
    expect(repeated).toEqual([]);
  }
}

/**
 * The scenario: boots `EventSourcingModule` with a subscriber on the runner's
 * fresh database, races the writers, checks the store and the subscriber.
 */
export function describeConcurrencyScenario(
  backend: string,
  given: ConcurrencyScenarioSettings,
): void {
  // Soak runs scale the run up: CELLO_CONCURRENCY_APPENDS appends (re-sends a quarter of it).
  const soak = Number(process.env.CELLO_CONCURRENCY_APPENDS ?? 0);
  const settings: ConcurrencyScenarioSettings =
    soak > 0
      ? {
          ...given,
          appends: soak,
          resendAppends: Math.ceil(soak / 4),
          timeoutMs: given.timeoutMs * Math.max(1, soak / given.appends),
        }
      : given;
  describe(`when ${WRITERS} writers race on ${backend}`, () => {
    let app: TestingModule | undefined;

    async function boot(): Promise<TestingModule> {
      app = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({
            ...settings.options(),
            events: [Tick],
            snapshotInterval: 0,
            subscriptions: { pollIntervalMs: 50, retryDelayMs: 5 },
          }),
        ],
        providers: [TickCounter, SmallBatchTickCounter],
      }).compile();
      app.useLogger(false);
      await app.init();
      return app;
    }

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it(
      `should keep ${settings.appends} acknowledged appends over ${HOT_STREAMS} hot streams, each once, in contiguous versions, delivered once`,
      async () => {
        // Given an app with a subscriber
        const running = await boot();

        // When 64 writers append, retrying on conflicts
        const result = await race(running.get(EventStore), settings.appends, false);

        // Then nothing acknowledged is lost or doubled, and the subscriber saw each once
        expect(result.acknowledged).toHaveLength(settings.appends);
        await expectNothingLostOrDoubled(running, result);
        reportFigures(backend, 'race', result);
      },
      settings.timeoutMs,
    );

    it(
      `should store nothing twice when each of ${settings.resendAppends} appends is re-sent`,
      async () => {
        // Given an app with a subscriber
        const running = await boot();

        // When every append is sent twice (racing, or after the first answer)
        const result = await race(running.get(EventStore), settings.resendAppends, true);

        // Then each event is stored and delivered exactly once
        expect(result.acknowledged).toHaveLength(settings.resendAppends);
        expect(result.duplicates).toBeGreaterThan(0);
        await expectNothingLostOrDoubled(running, result);
        reportFigures(backend, 'resend', result);
      },
      settings.timeoutMs,
    );
  });
}

/** One line of figures when CELLO_RELIABILITY_REPORT is set (soak runs collect them). */
function reportFigures(backend: string, kind: string, result: RunResult): void {
  if (!process.env.CELLO_RELIABILITY_REPORT) return;
  process.stdout.write(
    `[reliability] ${backend} ${kind}: appends=${result.acknowledged.length} ` +
      `conflicts=${result.conflicts} resends=${result.duplicates} lost=0 doubled=0\n`,
  );
}
