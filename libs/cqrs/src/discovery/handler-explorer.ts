import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { COMMAND_HANDLER_METADATA, QUERY_HANDLER_METADATA } from '../cqrs.constants';
import type { HandlerMetadata } from '../decorators/handler-metadata';
import { DuplicateHandlerError } from '../errors/duplicate-handler.error';
import { InvalidHandlerError } from '../errors/invalid-handler.error';
import type { MessageClass } from '../message/message-class';

/** A discovered handler provider and the message class it handles. */
export interface DiscoveredHandler {
  readonly wrapper: InstanceWrapper;
  readonly handlerType: new (...args: never[]) => object;
  readonly metadata: HandlerMetadata;
}

/**
 * Finds `@CommandHandler`/`@QueryHandler` providers once, at start-up, through
 * Nest's public `DiscoveryService`. Fails on a second handler for the same
 * message, naming both classes.
 */
@Injectable()
export class HandlerExplorer {
  constructor(private readonly discovery: DiscoveryService) {}

  /** Command handlers by command class. */
  commandHandlers(): Map<MessageClass, DiscoveredHandler> {
    return this.explore(COMMAND_HANDLER_METADATA);
  }

  /** Query handlers by query class. */
  queryHandlers(): Map<MessageClass, DiscoveredHandler> {
    return this.explore(QUERY_HANDLER_METADATA);
  }

  private explore(metadataKey: string): Map<MessageClass, DiscoveredHandler> {
    const found = new Map<MessageClass, DiscoveredHandler>();
    for (const wrapper of this.discovery.getProviders()) {
      const handlerType = handlerClassOf(wrapper);
      if (handlerType === undefined) continue;
      const metadata = Reflect.getOwnMetadata(metadataKey, handlerType) as
        HandlerMetadata | undefined;
      if (metadata === undefined) continue;
      if (typeof handlerType.prototype?.execute !== 'function') {
        throw new InvalidHandlerError(
          handlerType.name,
          'it has no `execute(message, context)` method.',
        );
      }
      const existing = found.get(metadata.message);
      if (existing !== undefined) {
        // The same class provided twice (two modules, or a class and an alias of it) is one handler.
        if (existing.handlerType === handlerType) continue;
        throw new DuplicateHandlerError(
          metadata.message.name,
          existing.handlerType.name,
          handlerType.name,
        );
      }
      found.set(metadata.message, { wrapper, handlerType, metadata });
    }
    return found;
  }
}

/**
 * The class that carries a provider's decorators. A class provider has it as
 * its metatype, whatever its token (`useClass` under another token too); a
 * factory or value provider (`useFactory`, `useValue`, `useExisting`) only
 * through the instance it produced.
 */
function handlerClassOf(wrapper: InstanceWrapper): DiscoveredHandler['handlerType'] | undefined {
  const instance = wrapper.instance as unknown;
  if (typeof instance === 'object' && instance !== null) {
    const type = (instance as { constructor?: unknown }).constructor;
    if (typeof type === 'function' && type !== Object) {
      return type as DiscoveredHandler['handlerType'];
    }
  }
  const metatype = wrapper.metatype as unknown;
  // A factory's metatype is the factory function, not a class that could carry the decorator.
  if (typeof metatype === 'function' && !wrapper.inject) {
    return metatype as DiscoveredHandler['handlerType'];
  }
  return undefined;
}
