import { Injectable } from '@nestjs/common';
import { QUERY_HANDLER_METADATA } from '../cqrs.constants';
import type { MessageRouteOptions } from '../cqrs-module-options';
import type { MessageClass } from '../message/message-class';
import type { HandlerMetadata } from './handler-metadata';

/**
 * Makes the class the handler of `query` (found once at start-up). The
 * class is a provider whose `execute(query, context)` returns the result.
 * Options set this query's timeout, middleware and validation.
 */
export function QueryHandler(
  query: MessageClass,
  options: MessageRouteOptions = {},
): ClassDecorator {
  if (typeof query !== 'function') {
    throw new TypeError('@QueryHandler() needs the query class it handles');
  }
  return (target) => {
    const metadata: HandlerMetadata = { message: query, options };
    Reflect.defineMetadata(QUERY_HANDLER_METADATA, metadata, target);
    if (!Reflect.hasOwnMetadata('scope:options', target)) Injectable()(target);
  };
}
