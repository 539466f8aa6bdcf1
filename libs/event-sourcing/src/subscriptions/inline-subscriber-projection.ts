import type { EntityManager } from 'typeorm';
import type { Event } from '../event/event';
import type { InlineProjection, InlineProjectionContext } from '../store/inline-projection';
import type { OnSubscriberReset, SubscriberDefinition } from './subscriber-definition';

/** An inline `@EventHandler` method: gets the event and the append's context. */
type InlineHandler = (event: Event, context: InlineProjectionContext) => unknown;

/**
 * The inline projection of a subscriber declared with
 * `@EventSubscriber({ inline: true })`: each appended event of a handled type
 * goes to its `@EventHandler` methods, in declaration order; a rebuild resets it
 * through its `onSubscriberReset(0, manager)` hook.
 */
export function inlineProjectionOf(definition: SubscriberDefinition): InlineProjection {
  const instance = definition.instance as Partial<OnSubscriberReset>;
  const onReset = instance.onSubscriberReset;
  return {
    name: definition.name,
    handles: (type) => definition.handledTypes.has(type),
    async project(event, context) {
      const handled = definition.handledTypes.get(context.type);
      if (!handled) return;
      for (const handler of handled.handlers) {
        await (handler as unknown as InlineHandler)(event, context);
      }
    },
    ...(typeof onReset === 'function'
      ? {
          reset: async (manager: EntityManager | undefined) => {
            await onReset.call(instance, 0, manager);
          },
        }
      : {}),
  };
}
