import { Injectable, Scope, type Provider } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { isCelloError } from '@cello/core';
import { Aggregate } from '@cello/event-sourcing/aggregate/aggregate';
import { EventBatchHandler } from '@cello/event-sourcing/decorators/event-batch-handler.decorator';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import { EventSubscriber } from '@cello/event-sourcing/decorators/event-subscriber.decorator';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { DuplicateSubscriberNameError } from '@cello/event-sourcing/errors/duplicate-subscriber-name.error';
import { InvalidSubscriberError } from '@cello/event-sourcing/errors/invalid-subscriber.error';
import type { SubscriptionOptions } from '@cello/event-sourcing/event-sourcing-module-options';
import { Event } from '@cello/event-sourcing/event/event';
import type { EventBatch } from '@cello/event-sourcing/subscriptions/event-batch';
import { SubscriberExplorer } from '@cello/event-sourcing/subscriptions/subscriber-explorer';

@EventType('ExplorerTest.TicketOpened')
class TicketOpened extends Event {}

@EventType('ExplorerTest.TicketClosed')
class TicketClosed extends Event {}

class UntypedEvent extends Event {}

@Injectable()
class TicketBoard {
  readonly calls: string[] = [];

  @EventHandler(TicketOpened)
  count(): void {
    this.calls.push('count');
  }

  @EventHandler(TicketOpened, TicketClosed)
  log(): void {
    this.calls.push('log');
  }
}

@Injectable()
@EventSubscriber({ name: 'ticket-mailer', maxAttempts: 9, onFailure: 'stop', startFrom: 'end' })
class TicketMailer {
  @EventHandler(TicketClosed)
  mail(): void {}
}

/** An aggregate registered as a provider by mistake: not a subscriber. */
@Injectable()
class Ticket extends Aggregate {
  @EventHandler(TicketOpened)
  opened(): void {}
}

@Injectable()
class PlainService {}

@Injectable()
class UntypedSubscriber {
  @EventHandler(UntypedEvent)
  on(): void {}
}

@Injectable()
@EventSubscriber({ name: 'ticket-mailer' })
class OtherMailer {
  @EventHandler(TicketOpened)
  on(): void {}
}

@Injectable()
@EventSubscriber({ batchSize: 0 })
class BadBatch {
  @EventHandler(TicketOpened)
  on(): void {}
}

@Injectable()
@EventSubscriber({ maxRetryDelayMs: 50 })
class BadRetryCap {
  @EventHandler(TicketOpened)
  on(): void {}
}

@Injectable()
@EventSubscriber({ isTransient: 'yes' as unknown as () => boolean })
class BadClassifier {
  @EventHandler(TicketOpened)
  on(): void {}
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestSubscriber {
  @EventHandler(TicketOpened)
  on(): void {}
}

/** A projection taking tickets in batches, and comments one at a time. */
@Injectable()
@EventSubscriber({ name: 'ticket-table' })
class TicketTable {
  readonly calls: string[] = [];

  @EventBatchHandler(TicketOpened, TicketClosed)
  write(batch: EventBatch<TicketOpened | TicketClosed>): void {
    this.calls.push(`write ${batch.length}`);
  }

  @EventBatchHandler(TicketClosed)
  archive(batch: EventBatch<TicketClosed>): void {
    this.calls.push(`archive ${batch.length}`);
  }
}

/** Only batch methods: still a subscriber. */
@Injectable()
class TicketCounter {
  @EventBatchHandler(TicketOpened)
  count(): void {}
}

@Injectable()
class TicketBothWays {
  @EventHandler(TicketOpened)
  one(): void {}

  @EventBatchHandler(TicketClosed, TicketOpened)
  many(): void {}
}

@Injectable()
class TicketDoubleDecorated {
  @EventHandler(TicketOpened)
  @EventBatchHandler(TicketClosed)
  on(): void {}
}

@Injectable()
class UntypedBatchSubscriber {
  @EventBatchHandler(UntypedEvent)
  on(): void {}
}

async function explore(providers: Provider[], defaults: SubscriptionOptions = {}) {
  const moduleRef = await Test.createTestingModule({
    providers: [DiscoveryService, SubscriberExplorer, ...providers],
  }).compile();
  try {
    return moduleRef.get(SubscriberExplorer).explore(defaults);
  } finally {
    await moduleRef.close();
  }
}

async function exploreError(providers: Provider[]): Promise<unknown> {
  return explore(providers).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('SubscriberExplorer', () => {
  describe('when providers are scanned', () => {
    it('should find classes with @EventHandler methods, not aggregates or plain providers', async () => {
      // Given / When
      const found = await explore([TicketBoard, TicketMailer, Ticket, PlainService]);

      // Then
      expect(found.map((d) => d.name).sort()).toEqual(['TicketBoard', 'ticket-mailer']);
    });

    it('should bind every method of an event type, in declaration order', async () => {
      // Given
      const [board] = await explore([TicketBoard]);

      // When
      const opened = board.handledTypes.get('ExplorerTest.TicketOpened');
      for (const handler of opened?.handlers ?? []) await handler(new TicketOpened(), {} as never);

      // Then
      expect(opened?.eventClass).toBe(TicketOpened);
      expect((board.instance as TicketBoard).calls).toEqual(['count', 'log']);
      expect(board.handledTypes.get('ExplorerTest.TicketClosed')?.handlers).toHaveLength(1);
    });

    it('should take settings from @EventSubscriber, then module defaults, then built-ins', async () => {
      // Given / When
      const found = await explore([TicketBoard, TicketMailer], {
        maxAttempts: 2,
        batchSize: 50,
        leaseTtlMs: 3000,
      });

      // Then
      const mailer = found.find((d) => d.name === 'ticket-mailer');
      const board = found.find((d) => d.name === 'TicketBoard');
      expect(mailer?.settings).toMatchObject({
        maxAttempts: 9,
        onFailure: 'stop',
        startFrom: 'end',
        batchSize: 50,
        leaseTtlMs: 3000,
      });
      expect(board?.settings).toEqual({
        maxAttempts: 2,
        retryDelayMs: 100,
        maxRetryDelayMs: 5000,
        onFailure: 'park-and-continue',
        batchSize: 50,
        startFrom: 'beginning',
        pollIntervalMs: 1000,
        leaseTtlMs: 3000,
      });
    });
  });

  describe('when a subscriber has @EventBatchHandler methods', () => {
    it('should find it even without @EventHandler methods', async () => {
      // Given / When
      const found = await explore([TicketCounter, PlainService]);

      // Then
      expect(found.map((d) => d.name)).toEqual(['TicketCounter']);
      expect(found[0].handledTypes.get('ExplorerTest.TicketOpened')?.handlers).toEqual([]);
    });

    it('should bind each batch method once, in declaration order, to every type it lists', async () => {
      // Given
      const [table] = await explore([TicketTable]);

      // When every batch method is called with a batch of one
      for (const handler of table.batchHandlers ?? []) await handler([{} as never]);

      // Then
      expect((table.instance as TicketTable).calls).toEqual(['write 1', 'archive 1']);
      expect(table.handledTypes.get('ExplorerTest.TicketOpened')?.batchHandlers).toHaveLength(1);
      expect(table.handledTypes.get('ExplorerTest.TicketClosed')?.batchHandlers).toHaveLength(2);
      expect(table.handledTypes.get('ExplorerTest.TicketClosed')?.handlers).toEqual([]);
    });

    it('should fail when one event type is handled both one at a time and in batches', async () => {
      // Given / When
      const error = await exploreError([TicketBothWays]);

      // Then
      expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
      expect((error as Error).message).toContain(
        'TicketOpened is handled both one at a time (@EventHandler on "one") and in batches ' +
          '(@EventBatchHandler on "many")',
      );
      expect((error as Error).message).toContain('remove TicketOpened from one of them');
    });

    it('should fail when one method has both decorators', async () => {
      // Given / When
      const error = await exploreError([TicketDoubleDecorated]);

      // Then
      expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
      expect((error as Error).message).toContain(
        '"on" has both @EventHandler and @EventBatchHandler',
      );
    });

    it('should fail when a batch-handled event class has no @EventType', async () => {
      // Given / When
      const error = await exploreError([UntypedBatchSubscriber]);

      // Then
      expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
      expect((error as Error).message).toContain('@EventBatchHandler(UntypedEvent)');
    });

    it('should refuse @EventBatchHandler without event classes where it is written', () => {
      // Given / When / Then
      expect(() => EventBatchHandler()).toThrow(
        '@EventBatchHandler() needs at least one event class',
      );
    });
  });

  describe('when a subscriber is misconfigured', () => {
    it('should fail naming both classes when two share a name', async () => {
      // Given / When
      const error = await exploreError([TicketMailer, OtherMailer]);

      // Then
      expect(isCelloError(error, DuplicateSubscriberNameError.code)).toBe(true);
      expect((error as Error).message).toContain('TicketMailer and OtherMailer');
      expect((error as Error).message).toContain('@EventSubscriber({ name');
    });

    it('should fail when a handled event class has no @EventType', async () => {
      // Given / When
      const error = await exploreError([UntypedSubscriber]);

      // Then
      expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
      expect((error as Error).message).toContain("@EventType('UntypedEvent')");
    });

    it('should fail on a setting out of range', async () => {
      // Given / When
      const error = await exploreError([BadBatch]);

      // Then
      expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
      expect((error as Error).message).toContain('batchSize must be a positive integer, got 0');
    });

    it('should fail on a retry cap below the first delay, and on an isTransient that is not a function', async () => {
      // Given / When
      const capped = await exploreError([BadRetryCap]);
      const classified = await exploreError([BadClassifier]);

      // Then
      expect(isCelloError(capped, InvalidSubscriberError.code)).toBe(true);
      expect((capped as Error).message).toContain(
        'maxRetryDelayMs must be more than 0 and at least retryDelayMs (100), got 50',
      );
      expect(isCelloError(classified, InvalidSubscriberError.code)).toBe(true);
      expect((classified as Error).message).toContain('isTransient must be a function');
    });

    it('should fail on a request-scoped subscriber', async () => {
      // Given / When
      const error = await exploreError([PerRequestSubscriber]);

      // Then
      expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
      expect((error as Error).message).toContain('request-scoped');
    });
  });
});
