import { BUS_MIDDLEWARE_METADATA } from '../cqrs.constants';
import type { BusMiddlewareRef } from '../middleware/bus-middleware';

/**
 * Attaches middleware to one message type: put it on the command/query class
 * or on its handler class. Runs after global middleware, in the order given.
 */
export function UseBusMiddleware(...middleware: BusMiddlewareRef[]): ClassDecorator {
  return (target) => {
    const existing = getBusMiddleware(target);
    Reflect.defineMetadata(BUS_MIDDLEWARE_METADATA, [...middleware, ...existing], target);
  };
}

/** Middleware recorded by `@UseBusMiddleware` on `target` itself (not inherited). */
export function getBusMiddleware(target: object): readonly BusMiddlewareRef[] {
  return (Reflect.getOwnMetadata(BUS_MIDDLEWARE_METADATA, target) as BusMiddlewareRef[]) ?? [];
}
