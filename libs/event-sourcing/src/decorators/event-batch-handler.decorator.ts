import type { EventClass } from '../event/event';
import { checkEventClasses, checkMethodTarget } from './decorator-use-checks';

/** Metadata key: the `@EventBatchHandler` methods of a subscriber class. */
export const EVENT_BATCH_HANDLERS_METADATA = 'cello:event-batch-handlers';

/** One `@EventBatchHandler` method: which event classes it receives in batches. */
export interface EventBatchHandlerBinding {
  readonly eventClasses: readonly EventClass[];
  readonly methodName: string | symbol;
}

/**
 * Makes a subscriber method receive the listed events in batches: each call gets
 * an `EventBatch` (`{ event, envelope }[]`, position order, up to the
 * subscriber's `batchSize`), so a projection can write them with one
 * multi-row statement. The subscriber's checkpoint moves past a batch only after
 * the call resolved; a batch that keeps failing is re-delivered one event at a
 * time (single-element batches) so that only the failing event is parked.
 */
export function EventBatchHandler(...eventClasses: EventClass[]): MethodDecorator {
  checkEventClasses('@EventBatchHandler', eventClasses);
  return (target, methodName, descriptor) => {
    checkMethodTarget('@EventBatchHandler', target, methodName, descriptor);
    const ctor = target.constructor;
    const bindings: EventBatchHandlerBinding[] = [
      ...getEventBatchHandlerBindings(ctor),
      { eventClasses, methodName },
    ];
    Reflect.defineMetadata(EVENT_BATCH_HANDLERS_METADATA, bindings, ctor);
  };
}

/** The `@EventBatchHandler` methods declared on `target` and its base classes. */
export function getEventBatchHandlerBindings(target: object): readonly EventBatchHandlerBinding[] {
  return (
    (Reflect.getMetadata(EVENT_BATCH_HANDLERS_METADATA, target) as EventBatchHandlerBinding[]) ?? []
  );
}
