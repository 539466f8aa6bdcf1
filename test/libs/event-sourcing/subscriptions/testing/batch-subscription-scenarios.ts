import { randomUUID } from 'node:crypto';
import { Injectable, type Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { EventBatchHandler } from '@cello/event-sourcing/decorators/event-batch-handler.decorator';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventSubscriber } from '@cello/event-sourcing/decorators/event-subscriber.decorator';
import type { Event } from '@cello/event-sourcing/event/event';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import type { EventBatch, EventBatchItem } from '@cello/event-sourcing/subscriptions/event-batch';
import { SubscriptionManager } from '@cello/event-sourcing/subscriptions/subscription-manager';
import type { SubscriptionEnvelope } from '@cello/event-sourcing/subscriptions/subscription-envelope';
import {
  connectToClosedPort,
  OrderNoted,
  OrderPlaced,
  OrderShipped,
  type SubscriptionTestBackend,
} from './subscription-scenarios';
import { pollUntil, useSubscriptionApps } from './subscription-test-app';

/** One call of a batch method: the positions it got and each envelope's attempt. */
export interface BatchCall {
  readonly positions: number[];
  readonly attempts: number[];
}

/**
 * A read model written one batch at a time, as a projection would write it with
 * one multi-row statement. Fails the next `failNext` calls as a whole (a
 * restarting database), and every batch holding an order whose id starts with
 * "bad" until `fixed` (an event it cannot write).
 */
@Injectable()
@EventSubscriber({ name: 'order-table', batchSize: 4, maxAttempts: 3, retryDelayMs: 1 })
export class OrderTable {
  readonly calls: BatchCall[] = [];
  /** Every item of the calls that went through, in call order. */
  readonly written: EventBatchItem<OrderPlaced | OrderShipped>[] = [];
  failNext = 0;
  fixed = false;

  @EventBatchHandler(OrderPlaced, OrderShipped)
  write(batch: EventBatch<OrderPlaced | OrderShipped>): void {
    this.calls.push({
      positions: batch.map((item) => item.envelope.position),
      attempts: batch.map((item) => item.envelope.attempt),
    });
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('read-model database is restarting');
    }
    const bad = batch.find(({ event }) => event.orderId.startsWith('bad'));
    if (bad && !this.fixed) throw new Error(`cannot write ${bad.event.orderId}`);
    this.written.push(...batch);
  }

  get writtenPositions(): number[] {
    return this.written.map((item) => item.envelope.position);
  }
}

/** OrderTable that stops on the event it cannot write. */
@Injectable()
@EventSubscriber({
  name: 'strict-order-table',
  batchSize: 4,
  maxAttempts: 2,
  retryDelayMs: 1,
  onFailure: 'stop',
})
export class StrictOrderTable extends OrderTable {}

/** OrderTable whose database refuses connections (a real ECONNREFUSED) for its first `downFor` calls. */
@Injectable()
@EventSubscriber({
  name: 'unreachable-order-table',
  batchSize: 4,
  maxAttempts: 2,
  retryDelayMs: 1,
  maxRetryDelayMs: 10,
})
export class UnreachableOrderTable {
  readonly calls: BatchCall[] = [];
  readonly written: number[] = [];
  downFor = 12;

  @EventBatchHandler(OrderPlaced)
  async write(batch: EventBatch<OrderPlaced>): Promise<void> {
    this.calls.push({
      positions: batch.map((item) => item.envelope.position),
      attempts: batch.map((item) => item.envelope.attempt),
    });
    if (this.calls.length <= this.downFor) await connectToClosedPort();
    this.written.push(...batch.map((item) => item.envelope.position));
  }
}

/** OrderTable whose retries wait a minute: a stop must cut the wait short. */
@Injectable()
@EventSubscriber({ name: 'patient-order-table', batchSize: 4, retryDelayMs: 60_000 })
export class PatientOrderTable extends OrderTable {}

/** Per-event and batch methods in one subscriber: logs each call. */
@Injectable()
@EventSubscriber({ name: 'mixed-order-log', batchSize: 10 })
export class MixedOrderLog {
  readonly log: string[] = [];

  @EventBatchHandler(OrderPlaced)
  placed(batch: EventBatch<OrderPlaced>): void {
    this.log.push(`placed ${positionsOf(batch)}`);
  }

  @EventHandler(OrderNoted)
  noted(_event: OrderNoted, envelope: SubscriptionEnvelope): void {
    this.log.push(`noted ${envelope.position}`);
  }

  @EventBatchHandler(OrderPlaced, OrderShipped)
  audit(batch: EventBatch<OrderPlaced | OrderShipped>): void {
    this.log.push(`audit ${positionsOf(batch)}`);
  }
}

function positionsOf(batch: EventBatch): string {
  return batch.map((item) => item.envelope.position).join(',');
}

const FAST_SUBSCRIPTIONS = { pollIntervalMs: 100, leaseTtlMs: 1500 };

/**
 * The `@EventBatchHandler` scenarios, booted as real Nest apps with
 * `EventSourcingModule.forRoot`, run for each backend.
 */
export function describeBatchSubscriptionScenarios(
  name: string,
  backend: SubscriptionTestBackend,
): void {
  describe(`batch subscriptions on ${name}`, () => {
    const { boot, close } = useSubscriptionApps(backend, FAST_SUBSCRIPTIONS);

    /** Boots an app whose subscribers start only when the test says so. */
    function bootStopped(key: string, providers: Provider[]): Promise<TestingModule> {
      return boot(key, providers, { subscriptions: { autoStart: false } });
    }

    async function append(app: TestingModule, streamId: string, event: Event): Promise<number> {
      const result = await app.get(EventStore).append(streamId, [event]);
      return result.positions[0];
    }

    /** Appends one OrderPlaced per order id, each to its own stream. */
    async function place(app: TestingModule, ...orderIds: string[]): Promise<number[]> {
      const positions: number[] = [];
      for (const orderId of orderIds) {
        positions.push(await append(app, orderId, new OrderPlaced(orderId, new Date())));
      }
      return positions;
    }

    describe('when events are appended', () => {
      it('should deliver the handled types in position order, in batches of at most batchSize, with their envelopes', async () => {
        // Given a log of placed, shipped and (unhandled) noted events
        const app = await bootStopped(randomUUID(), [OrderTable]);
        const [a, b, c] = [`a-${randomUUID()}`, `b-${randomUUID()}`, `c-${randomUUID()}`];
        const handled: number[] = [];
        handled.push(await append(app, a, new OrderPlaced(a, new Date('2026-11-28T06:00:00Z'))));
        handled.push(await append(app, b, new OrderPlaced(b, new Date())));
        const noted = await append(app, a, new OrderNoted('gift wrap'));
        handled.push(await append(app, a, new OrderShipped(a)));
        handled.push(await append(app, c, new OrderPlaced(c, new Date())));
        handled.push(await append(app, b, new OrderShipped(b)));
        await append(app, c, new OrderNoted('leave at the door'));
        handled.push(await append(app, c, new OrderShipped(c)));
        const last = await append(app, a, new OrderNoted('thanks'));

        // When
        const manager = app.get(SubscriptionManager);
        manager.start();
        await manager.waitForPosition(last);

        // Then
        const table = app.get(OrderTable);
        expect(table.calls.flatMap((call) => call.positions)).toEqual(handled);
        expect(table.calls.length).toBeGreaterThan(1);
        for (const call of table.calls) {
          expect(call.positions.length).toBeGreaterThan(0);
          expect(call.positions.length).toBeLessThanOrEqual(4);
          expect(call.attempts.every((attempt) => attempt === 1)).toBe(true);
        }
        expect(table.writtenPositions).not.toContain(noted);
        const [first, , shipped] = table.written;
        expect(first.event).toBeInstanceOf(OrderPlaced);
        expect((first.event as OrderPlaced).placedAt).toEqual(new Date('2026-11-28T06:00:00Z'));
        expect(first.envelope).toEqual({
          position: handled[0],
          streamId: a,
          version: 1,
          eventId: first.event.eventId,
          type: 'SubscriptionTest.OrderPlaced',
          metadata: expect.any(Object),
          recordedAt: expect.any(Date),
          subscriber: 'order-table',
          attempt: 1,
        });
        expect(shipped.event).toBeInstanceOf(OrderShipped);
        expect(shipped.envelope).toMatchObject({
          position: handled[2],
          streamId: a,
          version: 3,
          type: 'SubscriptionTest.OrderShipped',
        });
        const [status] = await manager.status();
        expect(status).toMatchObject({ state: 'running', checkpoint: last, lag: 0 });
      });

      it('should deliver each of many concurrently appended events exactly once, in position order', async () => {
        // Given
        const app = await boot(randomUUID(), [OrderTable]);
        const store = app.get(EventStore);

        // When 12 writers append 10 events each while it runs
        const acknowledged = (
          await Promise.all(
            Array.from({ length: 12 }, async (_, writer) => {
              const positions: number[] = [];
              for (let i = 0; i < 10; i++) {
                const orderId = `w${writer}-${i}-${randomUUID()}`;
                const result = await store.append(orderId, [new OrderPlaced(orderId, new Date())]);
                positions.push(...result.positions);
              }
              return positions;
            }),
          )
        ).flat();
        await app
          .get(SubscriptionManager)
          .waitForPosition(Math.max(...acknowledged), { timeoutMs: 20_000 });

        // Then
        const table = app.get(OrderTable);
        expect(table.writtenPositions).toEqual([...acknowledged].sort((x, y) => x - y));
        expect(table.calls.every((call) => call.positions.length <= 4)).toBe(true);
      });

      it('should call per-event and batch methods of one subscriber in position order', async () => {
        // Given
        const app = await bootStopped(randomUUID(), [MixedOrderLog]);
        const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
        const p1 = await append(app, a, new OrderPlaced(a, new Date()));
        const p2 = await append(app, b, new OrderPlaced(b, new Date()));
        const s3 = await append(app, a, new OrderShipped(a));
        const n4 = await append(app, a, new OrderNoted('call first'));
        const p5 = await append(app, `c-${randomUUID()}`, new OrderPlaced('c', new Date()));

        // When
        const manager = app.get(SubscriptionManager);
        manager.start();
        await manager.waitForPosition(p5);

        // Then the per-event type splits the batch; batch methods run in declaration order
        expect(app.get(MixedOrderLog).log).toEqual([
          `placed ${p1},${p2}`,
          `audit ${p1},${p2},${s3}`,
          `noted ${n4}`,
          `placed ${p5}`,
          `audit ${p5}`,
        ]);
      });
    });

    describe('when a batch fails', () => {
      it("should retry it with the subscriber's backoff and deliver it once it goes through", async () => {
        // Given
        const app = await bootStopped(randomUUID(), [OrderTable]);
        const positions = await place(
          app,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
        );
        app.get(OrderTable).failNext = 2;

        // When
        const manager = app.get(SubscriptionManager);
        manager.start();
        await manager.waitForPosition(positions[2]);

        // Then
        const table = app.get(OrderTable);
        expect(table.calls).toEqual([
          { positions, attempts: [1, 1, 1] },
          { positions, attempts: [2, 2, 2] },
          { positions, attempts: [3, 3, 3] },
        ]);
        expect(table.writtenPositions).toEqual(positions);
        expect(await manager.listParked('order-table')).toEqual([]);
      });

      it('should retry a batch whose database is unreachable as a whole, without limit, and park nothing', async () => {
        // Given a batch projection whose database refuses its first 12 calls (maxAttempts 2)
        const app = await bootStopped(randomUUID(), [UnreachableOrderTable]);
        const positions = await place(
          app,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
          `o-${randomUUID()}`,
        );

        // When
        const manager = app.get(SubscriptionManager);
        manager.start();
        await manager.waitForPosition(positions[2], { timeoutMs: 15_000 });

        // Then every call held the whole batch (never split to isolate an event), and it went through once
        const table = app.get(UnreachableOrderTable);
        expect(table.calls).toHaveLength(13);
        expect(table.calls.every((call) => call.positions.join() === positions.join())).toBe(true);
        expect(table.calls.map((call) => call.attempts[0])).toEqual(
          Array.from({ length: 13 }, (_, i) => i + 1),
        );
        expect(table.written).toEqual(positions);
        expect(await manager.listParked()).toEqual([]);
      });

      it('should stop between attempts without moving the checkpoint, and deliver the batch after a restart', async () => {
        // Given a batch that failed once and waits for its retry
        const app = await bootStopped(randomUUID(), [PatientOrderTable]);
        const positions = await place(app, `o-${randomUUID()}`, `o-${randomUUID()}`);
        const table = app.get(PatientOrderTable);
        table.failNext = 1;
        const manager = app.get(SubscriptionManager);
        manager.start();
        await pollUntil(async () => table.calls.length === 1 || undefined);

        // When
        await manager.stop();

        // Then it stopped during the wait, wrote nothing and kept its checkpoint
        const [stopped] = await manager.status();
        expect(stopped).toMatchObject({ state: 'stopped', checkpoint: 0 });
        expect(table.written).toEqual([]);

        // When it starts again
        manager.start();
        await manager.waitForPosition(positions[1]);

        // Then the batch comes again from the checkpoint, as a first attempt
        expect(table.calls).toEqual([
          { positions, attempts: [1, 1] },
          { positions, attempts: [1, 1] },
        ]);
        expect(table.writtenPositions).toEqual(positions);
      });

      it('should deliver its events one at a time, park only the one that keeps failing, and move on', async () => {
        // Given a batch with one event the projection cannot write
        const app = await bootStopped(randomUUID(), [OrderTable]);
        const bad = `bad-${randomUUID()}`;
        const [g1, b, g2, g3] = await place(
          app,
          `g-${randomUUID()}`,
          bad,
          `g-${randomUUID()}`,
          `g-${randomUUID()}`,
        );

        // When
        const manager = app.get(SubscriptionManager);
        manager.start();
        await manager.waitForPosition(g3);

        // Then the batch was tried maxAttempts times, then each event alone
        const table = app.get(OrderTable);
        const all = [g1, b, g2, g3];
        expect(table.calls).toEqual([
          { positions: all, attempts: [1, 1, 1, 1] },
          { positions: all, attempts: [2, 2, 2, 2] },
          { positions: all, attempts: [3, 3, 3, 3] },
          { positions: [g1], attempts: [1] },
          { positions: [b], attempts: [1] },
          { positions: [b], attempts: [2] },
          { positions: [b], attempts: [3] },
          { positions: [g2], attempts: [1] },
          { positions: [g3], attempts: [1] },
        ]);
        expect(table.writtenPositions).toEqual([g1, g2, g3]);
        const parked = await manager.listParked('order-table');
        expect(parked).toHaveLength(1);
        expect(parked[0]).toMatchObject({ processor: 'order-table', position: b, attempts: 3 });
        expect(parked[0].error).toContain(`cannot write ${bad}`);
        const [status] = await manager.status();
        expect(status).toMatchObject({ state: 'running', checkpoint: g3 });
        expect(status.lastError).toContain(`cannot write ${bad}`);
      });

      it('should deliver a parked event to its batch method, as a batch of one, on replayParked', async () => {
        // Given
        const app = await bootStopped(randomUUID(), [OrderTable]);
        const [g1, b, g2] = await place(
          app,
          `g-${randomUUID()}`,
          `bad-${randomUUID()}`,
          `g-${randomUUID()}`,
        );
        const manager = app.get(SubscriptionManager);
        manager.start();
        await manager.waitForPosition(g2);
        const [parked] = await manager.listParked('order-table');
        const table = app.get(OrderTable);
        table.fixed = true;

        // When
        await manager.replayParked(parked.id);

        // Then
        expect(parked.position).toBe(b);
        expect(table.calls.at(-1)).toEqual({ positions: [b], attempts: [1] });
        expect(table.writtenPositions).toEqual([g1, g2, b]);
        expect(await manager.listParked('order-table')).toEqual([]);
      });

      it('should stop on the failing event with onFailure stop, after the ones before it, and resume from it', async () => {
        // Given a full page (so the next one is read ahead) with a bad event, and one more event
        const app = await bootStopped(randomUUID(), [StrictOrderTable]);
        const ids = [`g-${randomUUID()}`, `bad-${randomUUID()}`];
        for (let i = 0; i < 3; i++) ids.push(`g-${randomUUID()}`);
        const positions = await place(app, ...ids);
        const [good, b] = positions;
        const manager = app.get(SubscriptionManager);

        // When
        manager.start();
        const failed = await pollUntil(async () =>
          (await manager.status()).find((s) => s.state === 'failed'),
        );

        // Then it delivered the event before the bad one, parked the bad one and stopped there
        const table = app.get(StrictOrderTable);
        expect(failed.checkpoint).toBe(good);
        expect(table.writtenPositions).toEqual([good]);
        expect((await manager.listParked('strict-order-table')).map((p) => p.position)).toEqual([
          b,
        ]);

        // When the cause is fixed and it is started again
        table.fixed = true;
        manager.start('strict-order-table');
        await manager.waitForPosition(positions[4]);

        // Then it delivered the failed event and the rest once each, in order, and unparked it
        expect(table.writtenPositions).toEqual(positions);
        expect(await manager.listParked('strict-order-table')).toEqual([]);
      });
    });

    if (!backend.durable) return;

    describe('when the application restarts', () => {
      it('should catch up from the durable checkpoint without losing, repeating or reordering events', async () => {
        // Given a first app that wrote five events
        const key = randomUUID();
        const first = await boot(key, [OrderTable]);
        const ids = () => Array.from({ length: 5 }, () => `o-${randomUUID()}`);
        const before = await place(first, ...ids());
        await first.get(SubscriptionManager).waitForPosition(before[4]);
        expect(first.get(OrderTable).writtenPositions).toEqual(before);
        await close(first);

        // When a new app on the same database gets ten more while stopped, then starts
        const second = await bootStopped(key, [OrderTable]);
        const after = await place(second, ...ids(), ...ids());
        second.get(SubscriptionManager).start();
        await second.get(SubscriptionManager).waitForPosition(after[9]);

        // Then it wrote exactly the new ones, in order, in batches
        const table = second.get(OrderTable);
        expect(table.writtenPositions).toEqual(after);
        expect(table.calls.length).toBeGreaterThanOrEqual(3);
      });
    });
  });
}
