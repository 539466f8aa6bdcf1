import { describeDecoratorTarget } from '@cello/core/internal';
import { BUS_MIDDLEWARE_METADATA } from '../cqrs.constants';
import { InvalidCqrsDecoratorError } from '../errors/invalid-cqrs-decorator.error';
import type { BusMiddlewareRef } from '../middleware/bus-middleware';

/**
 * Attaches middleware to one message type: put it on the command/query class
 * or on its handler class. Runs after global middleware, in the order given.
 */
export function UseBusMiddleware(...middleware: BusMiddlewareRef[]): ClassDecorator {
  const decorate = (target: object, key?: string | symbol) => {
    if (key !== undefined) {
      // Middleware runs around a whole handler, so a member has nothing to attach it to.
      throw new InvalidCqrsDecoratorError(
        '@UseBusMiddleware',
        describeDecoratorTarget({ target, key }),
        'it is a class decorator, but it was put on a member.',
        'Put it on the command/query class or on its handler class.',
      );
    }
    const existing = getBusMiddleware(target);
    Reflect.defineMetadata(BUS_MIDDLEWARE_METADATA, [...middleware, ...existing], target);
  };
  return decorate as ClassDecorator;
}

/** Middleware recorded by `@UseBusMiddleware` on `target` itself (not inherited). */
export function getBusMiddleware(target: object): readonly BusMiddlewareRef[] {
  return (Reflect.getOwnMetadata(BUS_MIDDLEWARE_METADATA, target) as BusMiddlewareRef[]) ?? [];
}
