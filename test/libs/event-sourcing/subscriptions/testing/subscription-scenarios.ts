import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { isCelloError } from '@cello/core';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventSubscriber } from '@cello/event-sourcing/decorators/event-subscriber.decorator';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { DuplicateSubscriberNameError } from '@cello/event-sourcing/errors/duplicate-subscriber-name.error';
import { ReplayDisabledError } from '@cello/event-sourcing/errors/replay-disabled.error';
import { SubscriberNotFoundError } from '@cello/event-sourcing/errors/subscriber-not-found.error';
import { WaitForPositionTimeoutError } from '@cello/event-sourcing/errors/wait-for-position-timeout.error';
import { EVENT_STORAGE } from '@cello/event-sourcing/event-sourcing.constants';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import { Event } from '@cello/event-sourcing/event/event';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { SubscriptionManager } from '@cello/event-sourcing/subscriptions/subscription-manager';
import type { SubscriptionEnvelope } from '@cello/event-sourcing/subscriptions/subscription-envelope';
import { SubscriptionsHealthIndicator } from '@cello/event-sourcing/health/subscriptions.health-indicator';
import {
  pollUntil,
  useSubscriptionApps,
  type SubscriptionTestBackend,
} from './subscription-test-app';

/** A backend the subscription scenarios run on. */
export type { SubscriptionTestBackend } from './subscription-test-app';

@EventType('SubscriptionTest.OrderPlaced')
export class OrderPlaced extends Event {
  constructor(
    readonly orderId: string,
    readonly placedAt: Date,
  ) {
    super();
  }
}

@EventType('SubscriptionTest.OrderShipped')
export class OrderShipped extends Event {
  constructor(readonly orderId: string) {
    super();
  }
}

@EventType('SubscriptionTest.OrderNoted')
export class OrderNoted extends Event {
  constructor(readonly note: string) {
    super();
  }
}

interface Seen {
  readonly type: string;
  readonly position: number;
  readonly orderId: string;
  readonly event: Event;
  readonly envelope: SubscriptionEnvelope;
}

/** Records what it receives; the projection most tests watch. */
@Injectable()
@EventSubscriber({ name: 'order-history' })
export class OrderHistory {
  readonly seen: Seen[] = [];
  resets: number[] = [];

  @EventHandler(OrderPlaced)
  onPlaced(event: OrderPlaced, envelope: SubscriptionEnvelope): void {
    this.seen.push({
      type: 'placed',
      position: envelope.position,
      orderId: event.orderId,
      event,
      envelope,
    });
  }

  @EventHandler(OrderShipped)
  onShipped(event: OrderShipped, envelope: SubscriptionEnvelope): void {
    this.seen.push({
      type: 'shipped',
      position: envelope.position,
      orderId: event.orderId,
      event,
      envelope,
    });
  }

  onSubscriberReset(position: number): void {
    this.resets.push(position);
    this.seen.splice(0);
  }
}

/** Throws on orders whose id starts with "bad" until `fixed`; parks and moves on. */
@Injectable()
@EventSubscriber({ name: 'flaky-mailer', maxAttempts: 3, retryDelayMs: 1 })
export class FlakyMailer {
  readonly sent: string[] = [];
  attempts = 0;
  fixed = false;

  @EventHandler(OrderPlaced)
  onPlaced(event: OrderPlaced): void {
    if (event.orderId.startsWith('bad') && !this.fixed) {
      this.attempts += 1;
      throw new Error(`mail server refused ${event.orderId}`);
    }
    this.sent.push(event.orderId);
  }
}

/** Like FlakyMailer, but stops on the event that keeps failing. */
@Injectable()
@EventSubscriber({ name: 'strict-ledger', maxAttempts: 2, retryDelayMs: 1, onFailure: 'stop' })
export class StrictLedger {
  readonly booked: string[] = [];
  fixed = false;

  @EventHandler(OrderPlaced)
  onPlaced(event: OrderPlaced): void {
    if (event.orderId.startsWith('bad') && !this.fixed) {
      throw new Error(`cannot book ${event.orderId}`);
    }
    this.booked.push(event.orderId);
  }
}

/** Blocks on every event until released: a subscriber that lags. */
@Injectable()
@EventSubscriber({ name: 'slow-report' })
export class SlowReport {
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  @EventHandler(OrderPlaced)
  async onPlaced(): Promise<void> {
    await this.gate;
  }

  open(): void {
    this.release();
  }
}

/** Records the positions it gets; started at the log's end, so a rebuild is what shows the start. */
@Injectable()
@EventSubscriber({ name: 'late-history', startFrom: 'end' })
export class LateHistory {
  readonly seen: number[] = [];
  readonly resets: number[] = [];

  @EventHandler(OrderPlaced)
  onPlaced(_event: OrderPlaced, envelope: SubscriptionEnvelope): void {
    this.seen.push(envelope.position);
  }

  onSubscriberReset(position: number): void {
    this.resets.push(position);
    this.seen.splice(0);
  }
}

/** Like LateHistory, started after position 1. */
@Injectable()
@EventSubscriber({ name: 'positioned-history', startFrom: 1 })
export class PositionedHistory extends LateHistory {}

/** Rejects with the real error of a connection to a port nobody listens on (ECONNREFUSED). */
export function connectToClosedPort(): Promise<never> {
  return new Promise((_, reject) => {
    const socket = connect({ host: '127.0.0.1', port: 1 });
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.destroy();
      reject(new Error('expected port 1 to be closed'));
    });
  });
}

/** A projection whose database is down (a real refused connection) until `up()`. */
@Injectable()
@EventSubscriber({
  name: 'remote-read-model',
  maxAttempts: 3,
  retryDelayMs: 1,
  maxRetryDelayMs: 40,
})
export class RemoteReadModel {
  readonly applied: number[] = [];
  failures = 0;
  private down = true;

  @EventHandler(OrderPlaced)
  async onPlaced(_event: OrderPlaced, envelope: SubscriptionEnvelope): Promise<void> {
    if (this.down) {
      this.failures += 1;
      await connectToClosedPort();
    }
    this.applied.push(envelope.position);
  }

  up(): void {
    this.down = false;
  }
}

/** Says which of its own errors are transient: "busy" ones are. Busy for its first `busyFor` attempts. */
@Injectable()
@EventSubscriber({
  name: 'busy-mailer',
  maxAttempts: 2,
  retryDelayMs: 1,
  maxRetryDelayMs: 5,
  isTransient: (error) => ((error as Error).message.startsWith('busy') ? true : undefined),
})
export class BusyMailer {
  readonly sent: string[] = [];
  failures = 0;
  busyFor = 10;

  @EventHandler(OrderPlaced)
  onPlaced(event: OrderPlaced): void {
    if (this.failures < this.busyFor) {
      this.failures += 1;
      throw new Error(`busy: try ${event.orderId} later`);
    }
    this.sent.push(event.orderId);
  }
}

/** A second class claiming the name of OrderHistory. */
@Injectable()
@EventSubscriber({ name: 'order-history' })
export class OrderHistoryCopy {
  @EventHandler(OrderPlaced)
  onPlaced(): void {}
}

const FAST_SUBSCRIPTIONS = { pollIntervalMs: 100, leaseTtlMs: 1500, retryDelayMs: 1 };

/**
 * The subscription scenarios, booted as real Nest apps with
 * `EventSourcingModule.forRoot`, run for each backend.
 */
export function describeSubscriptionScenarios(
  name: string,
  backend: SubscriptionTestBackend,
): void {
  describe(`subscriptions on ${name}`, () => {
    const { boot, close } = useSubscriptionApps(backend, FAST_SUBSCRIPTIONS);

    async function place(app: TestingModule, ...orderIds: string[]): Promise<number[]> {
      const store = app.get(EventStore);
      const positions: number[] = [];
      for (const orderId of orderIds) {
        const result = await store.append(orderId, [
          new OrderPlaced(orderId, new Date('2026-11-28T05:00:00Z')),
        ]);
        positions.push(...result.positions);
      }
      return positions;
    }

    describe('when events are appended', () => {
      it('should deliver the handled types in global order, with positions, as class instances', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory]);
        const store = app.get(EventStore);
        const a = `order-${randomUUID()}`;
        const b = `order-${randomUUID()}`;

        // When
        const placedA = await store.append(a, [
          new OrderPlaced(a, new Date('2026-11-28T05:00:00Z')),
        ]);
        const noted = await store.append(a, [new OrderNoted('not for history')]);
        const placedB = await store.append(b, [
          new OrderPlaced(b, new Date('2026-11-28T05:01:00Z')),
        ]);
        const shippedA = await store.append(a, [new OrderShipped(a)]);
        const last = shippedA.positions[0];
        await app.get(SubscriptionManager).waitForPosition(last);

        // Then
        const history = app.get(OrderHistory);
        expect(history.seen.map((s) => [s.type, s.orderId, s.position])).toEqual([
          ['placed', a, placedA.positions[0]],
          ['placed', b, placedB.positions[0]],
          ['shipped', a, shippedA.positions[0]],
        ]);
        const first = history.seen[0];
        expect(first.event).toBeInstanceOf(OrderPlaced);
        expect((first.event as OrderPlaced).placedAt).toEqual(new Date('2026-11-28T05:00:00Z'));
        expect(first.envelope).toMatchObject({
          streamId: a,
          version: 1,
          subscriber: 'order-history',
          attempt: 1,
        });
        expect(history.seen.map((s) => s.position)).not.toContain(noted.positions[0]);
        const [status] = await app.get(SubscriptionManager).status();
        expect(status).toMatchObject({
          name: 'order-history',
          state: 'running',
          checkpoint: last,
          lag: 0,
        });
      });

      it('should deliver each of many concurrently appended events exactly once, in position order', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory]);
        const store = app.get(EventStore);

        // When 20 writers append 15 events each, on hot and on own streams, while it runs
        const hot = [`hot-${randomUUID()}`, `hot-${randomUUID()}`];
        const acknowledged = (
          await Promise.all(
            Array.from({ length: 20 }, async (_, writer) => {
              const positions: number[] = [];
              for (let i = 0; i < 15; i++) {
                const streamId = i % 3 === 0 ? hot[writer % 2] : `own-${writer}-${randomUUID()}`;
                const result = await store.append(streamId, [new OrderShipped(streamId)]);
                positions.push(...result.positions);
              }
              return positions;
            }),
          )
        ).flat();
        const last = Math.max(...acknowledged);
        await app.get(SubscriptionManager).waitForPosition(last, { timeoutMs: 20_000 });

        // Then
        const seen = app.get(OrderHistory).seen.map((s) => s.position);
        expect(seen).toEqual([...acknowledged].sort((a, b) => a - b));
      });

      it('should not deliver before start() when autoStart is false', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory], {
          subscriptions: { autoStart: false },
        });
        const [position] = await place(app, `order-${randomUUID()}`);
        const manager = app.get(SubscriptionManager);
        expect((await manager.status())[0].state).toBe('stopped');

        // When
        manager.start();
        await manager.waitForPosition(position);

        // Then
        expect(app.get(OrderHistory).seen).toHaveLength(1);
      });
    });

    describe('when a subscriber keeps throwing', () => {
      it('should retry, park the event, move on, and leave other subscribers unaffected', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory, FlakyMailer]);
        const manager = app.get(SubscriptionManager);

        // When
        const positions = await place(
          app,
          `good-${randomUUID()}`,
          `bad-${randomUUID()}`,
          `good-${randomUUID()}`,
        );
        await manager.waitForPosition(positions[2]);

        // Then
        const mailer = app.get(FlakyMailer);
        expect(mailer.attempts).toBe(3);
        expect(mailer.sent).toHaveLength(2);
        expect(app.get(OrderHistory).seen).toHaveLength(3);
        const parked = await manager.listParked('flaky-mailer');
        expect(parked).toHaveLength(1);
        expect(parked[0]).toMatchObject({
          processor: 'flaky-mailer',
          position: positions[1],
          attempts: 3,
        });
        expect(parked[0].error).toContain('mail server refused');
        const status = (await manager.status()).find((s) => s.name === 'flaky-mailer');
        expect(status).toMatchObject({ state: 'running', checkpoint: positions[2] });
        expect(status?.lastError).toContain('mail server refused');
      });

      it('should deliver a parked event again on replayParked and forget it', async () => {
        // Given
        const app = await boot(randomUUID(), [FlakyMailer]);
        const manager = app.get(SubscriptionManager);
        const bad = `bad-${randomUUID()}`;
        const [position] = await place(app, bad);
        await manager.waitForPosition(position);
        const [parked] = await manager.listParked('flaky-mailer');
        app.get(FlakyMailer).fixed = true;

        // When
        await manager.replayParked(parked.id);

        // Then
        expect(app.get(FlakyMailer).sent).toEqual([bad]);
        expect(await manager.listParked('flaky-mailer')).toEqual([]);
        await expect(manager.replayParked(parked.id)).rejects.toMatchObject({
          code: 'parked-event-not-found',
        });
      });

      it('should drop a parked event undelivered on skipParked, and refuse an unknown id', async () => {
        // Given
        const app = await boot(randomUUID(), [FlakyMailer]);
        const manager = app.get(SubscriptionManager);
        const bad = `bad-${randomUUID()}`;
        const [position] = await place(app, bad);
        await manager.waitForPosition(position);
        const [parked] = await manager.listParked('flaky-mailer');
        app.get(FlakyMailer).fixed = true;

        // When
        const skipped = await manager.skipParked(parked.id);

        // Then
        expect(skipped).toMatchObject({ id: parked.id, position, processor: 'flaky-mailer' });
        expect(app.get(FlakyMailer).sent).toEqual([]);
        expect(await manager.listParked('flaky-mailer')).toEqual([]);
        await expect(manager.skipParked(parked.id)).rejects.toMatchObject({
          code: 'parked-event-not-found',
        });
      });

      it('should stop on the event with onFailure stop, and resume from it once restarted', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory, StrictLedger]);
        const manager = app.get(SubscriptionManager);
        const good = `good-${randomUUID()}`;
        const bad = `bad-${randomUUID()}`;
        const later = `good-${randomUUID()}`;

        // When
        const positions = await place(app, good, bad, later);
        await manager.waitForPosition(positions[2], { subscribers: ['order-history'] });
        const failed = await pollUntil(async () =>
          (await manager.status()).find((s) => s.name === 'strict-ledger' && s.state === 'failed'),
        );

        // Then it stopped before the failing event, which is parked
        expect(failed.checkpoint).toBe(positions[0]);
        expect(app.get(StrictLedger).booked).toEqual([good]);
        expect((await manager.listParked('strict-ledger')).map((p) => p.position)).toEqual([
          positions[1],
        ]);
        const error = await manager
          .waitForPosition(positions[2], { subscribers: ['strict-ledger'], timeoutMs: 200 })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WaitForPositionTimeoutError);
        expect((error as WaitForPositionTimeoutError).lagging).toEqual([
          { name: 'strict-ledger', checkpoint: positions[0], state: 'failed' },
        ]);

        // When the cause is fixed and it is started again
        app.get(StrictLedger).fixed = true;
        manager.start('strict-ledger');
        await manager.waitForPosition(positions[2], { subscribers: ['strict-ledger'] });

        // Then it delivered the failed event and the rest, in order, and unparked it
        expect(app.get(StrictLedger).booked).toEqual([good, bad, later]);
        expect(await manager.listParked('strict-ledger')).toEqual([]);
      });
    });

    describe("when a subscriber's database is unreachable", () => {
      it('should retry without limit, never park, report it stalled, and catch up in order once it is back', async () => {
        // Given a projection whose database refuses connections, beside a healthy one
        const app = await boot(randomUUID(), [OrderHistory, RemoteReadModel]);
        const manager = app.get(SubscriptionManager);
        const health = app.get(SubscriptionsHealthIndicator);
        const remote = app.get(RemoteReadModel);

        // When events come while it is down for longer than maxAttempts (3) and 1.5 s
        const positions = await place(
          app,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
        );
        await manager.waitForPosition(positions[2], { subscribers: ['order-history'] });
        const stalled = await pollUntil(async () => {
          const status = (await manager.status()).find((s) => s.name === 'remote-read-model');
          return remote.failures >= 20 &&
            status?.retrying !== undefined &&
            Date.now() - status.retrying.since.getTime() > 1600
            ? status
            : undefined;
        });

        // Then it parked nothing, stands before the first event, and health says it is stalled
        expect(await manager.listParked()).toEqual([]);
        expect(stalled.state).toBe('running');
        expect(stalled.checkpoint).toBeLessThan(positions[0]);
        expect(stalled.lag).toBeGreaterThanOrEqual(3);
        expect(stalled.retrying!.attempts).toBeGreaterThanOrEqual(20);
        expect(stalled.lastError).toContain('ECONNREFUSED');
        const report = (await health.isHealthy('subscriptions', { stalledAfterMs: 1000 }))
          .subscriptions;
        expect(report.status).toBe('down');
        expect(report.message).toContain('"remote-read-model" stalled');
        expect(report.subscribers).toMatchObject({
          'order-history': { state: 'running', lag: 0, parked: 0 },
          'remote-read-model': { state: 'running', parked: 0 },
        });

        // When its database is back
        remote.up();
        await manager.waitForPosition(positions[2], { timeoutMs: 15_000 });

        // Then every event was applied once, in order, and it is healthy again
        expect(remote.applied).toEqual(positions);
        expect(await manager.listParked()).toEqual([]);
        const after = (await manager.status()).find((s) => s.name === 'remote-read-model');
        expect(after?.retrying).toBeUndefined();
        const healed = await health.isHealthy('subscriptions', { stalledAfterMs: 1000 });
        expect(healed.subscriptions.status).toBe('up');
      });

      it("should take the subscriber's own isTransient over Cello's classification", async () => {
        // Given a subscriber that calls its "busy" errors transient, failing 10 times (maxAttempts 2)
        const app = await boot(randomUUID(), [BusyMailer]);
        const manager = app.get(SubscriptionManager);
        const orderId = `o-${randomUUID()}`;

        // When
        const [position] = await place(app, orderId);
        await manager.waitForPosition(position, { timeoutMs: 15_000 });

        // Then
        expect(app.get(BusyMailer).failures).toBe(10);
        expect(app.get(BusyMailer).sent).toEqual([orderId]);
        expect(await manager.listParked()).toEqual([]);
      });
    });

    describe('when health is checked', () => {
      it('should list parked events in the details, and report them down only in hasNoParkedEvents', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory, FlakyMailer]);
        const manager = app.get(SubscriptionManager);
        const health = app.get(SubscriptionsHealthIndicator);
        const positions = await place(app, `bad-${randomUUID()}`, `good-${randomUUID()}`);
        await manager.waitForPosition(positions[1]);

        // When
        const subscriptions = (await health.isHealthy()).subscriptions;
        const parked = (await health.hasNoParkedEvents()).parkedEvents;

        // Then
        expect(subscriptions).toMatchObject({
          status: 'up',
          subscribers: { 'flaky-mailer': { parked: 1 }, 'order-history': { parked: 0 } },
        });
        expect(parked).toMatchObject({ status: 'down', parked: { 'flaky-mailer': 1 } });
        expect(parked.message).toContain('1 parked event(s): "flaky-mailer" 1');
      });

      it('should report a subscriber stopped by an event that kept failing as down', async () => {
        // Given
        const app = await boot(randomUUID(), [StrictLedger]);
        const manager = app.get(SubscriptionManager);
        await place(app, `bad-${randomUUID()}`);

        // When
        await pollUntil(async () => (await manager.status())[0].state === 'failed');
        const report = (await app.get(SubscriptionsHealthIndicator).isHealthy()).subscriptions;

        // Then
        expect(report.status).toBe('down');
        expect(report.message).toContain(
          '"strict-ledger" stopped at 0 on an event that kept failing',
        );
      });
    });

    describe('when a subscriber is reset or rebuilt', () => {
      it('should replay everything from the beginning on rebuild', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory]);
        const manager = app.get(SubscriptionManager);
        const positions = await place(app, `order-${randomUUID()}`, `order-${randomUUID()}`);
        await manager.waitForPosition(positions[1]);

        // When
        await manager.rebuild('order-history');

        // Then
        const history = app.get(OrderHistory);
        expect(history.resets).toEqual([0]);
        expect(history.seen.map((s) => s.position)).toEqual(positions);
      });

      it('should replay from after the given position on reset', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory]);
        const manager = app.get(SubscriptionManager);
        const positions = await place(
          app,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
        );
        await manager.waitForPosition(positions[2]);

        // When
        await manager.reset('order-history', positions[0]);
        await manager.waitForPosition(positions[2]);

        // Then
        const history = app.get(OrderHistory);
        expect(history.resets).toEqual([positions[0]]);
        expect(history.seen.map((s) => s.position)).toEqual([positions[1], positions[2]]);
      });

      it.each([
        ['late-history', 'the end', LateHistory],
        ['positioned-history', 'a position', PositionedHistory],
      ])(
        'should replay the whole log on rebuild of %s, declared to start at %s',
        async (subscriber, _start, subscriberClass) => {
          // Given events before its first start, and one after
          const app = await boot(randomUUID(), [subscriberClass], {
            subscriptions: { autoStart: false },
          });
          const manager = app.get(SubscriptionManager);
          const before = await place(app, `o-${randomUUID()}`, `o-${randomUUID()}`);
          manager.start();
          await pollUntil(async () => (await manager.status())[0].state === 'running');
          const [after] = await place(app, `o-${randomUUID()}`);
          await manager.waitForPosition(after);
          const projection = app.get<LateHistory>(subscriberClass);
          expect(projection.seen).toEqual(
            subscriber === 'late-history' ? [after] : [...before, after].filter((p) => p > 1),
          );

          // When
          await manager.rebuild(subscriber);

          // Then
          expect(projection.resets).toEqual([0]);
          expect(projection.seen).toEqual([...before, after]);
        },
      );

      it('should refuse a position that is not a whole number >= 0', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory]);

        // When
        const error = await app
          .get(SubscriptionManager)
          .reset('order-history', -1)
          .catch((e: unknown) => e);

        // Then
        expect(isCelloError(error, 'invalid-reset-position')).toBe(true);
        expect((await app.get(SubscriptionManager).status())[0].state).not.toBe('stopped');
      });

      it('should refuse to reset when replay is disabled', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory], { enableReplay: false });

        // When
        const error = await app
          .get(SubscriptionManager)
          .reset('order-history')
          .catch((e: unknown) => e);

        // Then
        expect(isCelloError(error, ReplayDisabledError.code)).toBe(true);
        expect((error as Error).message).toContain('enableReplay');
      });
    });

    describe('when waiting for a position', () => {
      it('should name the subscriber that lagged when the bound passes', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory, SlowReport]);
        const manager = app.get(SubscriptionManager);
        const [position] = await place(app, `order-${randomUUID()}`);
        await manager.waitForPosition(position, { subscribers: ['order-history'] });

        // When
        const error = await manager
          .waitForPosition(position, { timeoutMs: 300 })
          .catch((e: unknown) => e);

        // Then
        expect(isCelloError(error, WaitForPositionTimeoutError.code)).toBe(true);
        expect((error as WaitForPositionTimeoutError).lagging).toEqual([
          { name: 'slow-report', checkpoint: 0, state: 'running' },
        ]);
        expect((error as Error).message).toContain('"slow-report" at 0 (running)');
        app.get(SlowReport).open();
        await manager.waitForPosition(position);
      });

      it("should stop waiting when the caller's signal aborts, with its reason", async () => {
        // Given a subscriber that cannot progress
        const app = await boot(randomUUID(), [OrderHistory, SlowReport]);
        const manager = app.get(SubscriptionManager);
        const [position] = await place(app, `order-${randomUUID()}`);
        const caller = new AbortController();

        // When the caller goes away while waiting (well before the 20 s bound)
        const waiting = manager
          .waitForPosition(position, { timeoutMs: 20_000, signal: caller.signal })
          .catch((e: unknown) => e);
        setTimeout(() => caller.abort(new Error('client went away')), 50);

        // Then
        expect(await waiting).toEqual(new Error('client went away'));
        const aborted = await manager
          .waitForPosition(position, { signal: AbortSignal.abort(new Error('already gone')) })
          .catch((e: unknown) => e);
        expect(aborted).toEqual(new Error('already gone'));
        app.get(SlowReport).open();
        await manager.waitForPosition(position);
      });

      it('should reject an unknown subscriber name', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderHistory]);

        // When
        const error = await app
          .get(SubscriptionManager)
          .waitForPosition(1, { subscribers: ['nope'] })
          .catch((e: unknown) => e);

        // Then
        expect(isCelloError(error, SubscriberNotFoundError.code)).toBe(true);
        expect((error as Error).message).toContain('"order-history"');
      });
    });

    describe('when another instance died holding the lease', () => {
      it('should wait for the lease to expire, then take over and catch up', async () => {
        // Given a lease taken by an instance that never renews it (it crashed)
        const app = await boot(randomUUID(), [OrderHistory], {
          subscriptions: { autoStart: false },
        });
        const storage = app.get<EventStorage>(EVENT_STORAGE);
        const dead = await storage.acquireLease('order-history', 'crashed-instance', 2000);
        expect(dead).toBeDefined();
        const [position] = await place(app, `o-${randomUUID()}`);

        // When
        const manager = app.get(SubscriptionManager);
        manager.start();

        // Then it stays in standby while the lease lives, and takes over after
        expect((await manager.status())[0].state).toBe('standby');
        await manager.waitForPosition(position, { timeoutMs: 15_000 });
        expect(app.get(OrderHistory).seen.map((s) => s.position)).toEqual([position]);
        expect(await storage.storeCheckpoint(dead!, 0)).toBe(false);
      });
    });

    describe('when two subscribers share a name', () => {
      it('should fail at start-up naming both classes', async () => {
        // Given / When
        const error = await boot(randomUUID(), [OrderHistory, OrderHistoryCopy]).catch(
          (e: unknown) => e,
        );

        // Then
        expect(isCelloError(error, DuplicateSubscriberNameError.code)).toBe(true);
        expect((error as Error).message).toMatch(/OrderHistory and OrderHistoryCopy/);
      });
    });

    if (!backend.durable) return;

    describe('when the application restarts', () => {
      it('should catch up from the durable checkpoint, not from the beginning', async () => {
        // Given a first app that handled two events
        const key = randomUUID();
        const first = await boot(key, [OrderHistory]);
        const before = await place(first, `o-${randomUUID()}`, `o-${randomUUID()}`);
        await first.get(SubscriptionManager).waitForPosition(before[1]);
        await close(first);

        // When a new app on the same database gets two more
        const second = await boot(key, [OrderHistory], { subscriptions: { autoStart: false } });
        const after = await place(second, `o-${randomUUID()}`, `o-${randomUUID()}`);
        second.get(SubscriptionManager).start();
        await second.get(SubscriptionManager).waitForPosition(after[1]);

        // Then it saw only the new ones
        expect(second.get(OrderHistory).seen.map((s) => s.position)).toEqual(after);
      });
    });

    describe('when two instances share one database', () => {
      it('should run each subscriber in one instance only, and hand it over when that one closes', async () => {
        // Given
        const key = randomUUID();
        const one = await boot(key, [OrderHistory]);
        const [p1] = await place(one, `o-${randomUUID()}`);
        await one.get(SubscriptionManager).waitForPosition(p1);
        const two = await boot(key, [OrderHistory]);

        // When both see new events
        const [p2] = await place(two, `o-${randomUUID()}`);
        await one.get(SubscriptionManager).waitForPosition(p2);

        // Then only the first instance ran the subscriber
        expect(one.get(OrderHistory).seen.map((s) => s.position)).toEqual([p1, p2]);
        expect(two.get(OrderHistory).seen).toEqual([]);
        expect((await two.get(SubscriptionManager).status())[0].state).toBe('standby');

        // When the first closes
        await close(one);
        const [p3] = await place(two, `o-${randomUUID()}`);
        await two.get(SubscriptionManager).waitForPosition(p3);
        await pollUntil(async () => two.get(OrderHistory).seen.length > 0 || undefined);

        // Then the second took over from the checkpoint
        expect(two.get(OrderHistory).seen.map((s) => s.position)).toEqual([p3]);
        expect((await two.get(SubscriptionManager).status())[0].state).toBe('running');
      });

      it('should make the running instance replay when another one resets the subscriber', async () => {
        // Given
        const key = randomUUID();
        const one = await boot(key, [OrderHistory]);
        const [p1] = await place(one, `o-${randomUUID()}`);
        await one.get(SubscriptionManager).waitForPosition(p1);
        const two = await boot(key, [OrderHistory]);

        // When
        await two.get(SubscriptionManager).reset('order-history', 0);

        // Then the holder is fenced off, takes the lease again and replays from 0
        await pollUntil(async () => one.get(OrderHistory).seen.length === 2 || undefined);
        expect(one.get(OrderHistory).seen.map((s) => s.position)).toEqual([p1, p1]);
        expect(two.get(OrderHistory).seen).toEqual([]);
      });
    });
  });
}
