import { EVENT_HANDLERS_METADATA } from '../event-sourcing.constants';
import type { EventClass } from '../event/event';
import { checkEventClasses, checkMethodTarget } from './decorator-use-checks';

/** One `@EventHandler` method: which event classes it handles. */
export interface EventHandlerBinding {
  readonly eventClasses: readonly EventClass[];
  readonly methodName: string | symbol;
}

/**
 * Maps events to a method. On an `Aggregate` the method is the state
 * transition applied on `apply` and on replay; on any other provider it makes
 * the class a subscriber that receives those events after they are committed.
 */
export function EventHandler(...eventClasses: EventClass[]): MethodDecorator {
  checkEventClasses('@EventHandler', eventClasses);
  return (target, methodName, descriptor) => {
    checkMethodTarget('@EventHandler', target, methodName, descriptor);
    const ctor = target.constructor;
    const inherited = getEventHandlerBindings(ctor);
    const own: EventHandlerBinding[] = [...inherited, { eventClasses, methodName }];
    Reflect.defineMetadata(EVENT_HANDLERS_METADATA, own, ctor);
  };
}

/** The `@EventHandler` methods declared on `target` and its base classes. */
export function getEventHandlerBindings(target: object): readonly EventHandlerBinding[] {
  return (Reflect.getMetadata(EVENT_HANDLERS_METADATA, target) as EventHandlerBinding[]) ?? [];
}
