import { Injectable, Scope, type Provider } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { isCelloError } from '@cello/core';
import { Aggregate } from '../aggregate/aggregate';
import { EventHandler } from '../decorators/event-handler.decorator';
import { EventSubscriber } from '../decorators/event-subscriber.decorator';
import { EventType } from '../decorators/event-type.decorator';
import { DuplicateSubscriberNameError } from '../errors/duplicate-subscriber-name.error';
import { InvalidSubscriberError } from '../errors/invalid-subscriber.error';
import type { SubscriptionOptions } from '../event-sourcing-module-options';
import { Event } from '../event/event';
import { SubscriberExplorer } from './subscriber-explorer';

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

@Injectable({ scope: Scope.REQUEST })
class PerRequestSubscriber {
  @EventHandler(TicketOpened)
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
        onFailure: 'park-and-continue',
        batchSize: 50,
        startFrom: 'beginning',
        pollIntervalMs: 1000,
        leaseTtlMs: 3000,
      });
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

    it('should fail on a request-scoped subscriber', async () => {
      // Given / When
      const error = await exploreError([PerRequestSubscriber]);

      // Then
      expect(isCelloError(error, InvalidSubscriberError.code)).toBe(true);
      expect((error as Error).message).toContain('request-scoped');
    });
  });
});
