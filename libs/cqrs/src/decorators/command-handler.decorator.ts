import { Injectable } from '@nestjs/common';
import { COMMAND_HANDLER_METADATA } from '../cqrs.constants';
import type { MessageRouteOptions } from '../cqrs-module-options';
import type { MessageClass } from '../message/message-class';
import type { HandlerMetadata } from './handler-metadata';

/**
 * Makes the class the handler of `command` (found once at start-up). The
 * class is a provider whose `execute(command, context)` returns the result.
 * Options set this command's timeout, middleware and validation.
 */
export function CommandHandler(
  command: MessageClass,
  options: MessageRouteOptions = {},
): ClassDecorator {
  if (typeof command !== 'function') {
    throw new TypeError('@CommandHandler() needs the command class it handles');
  }
  return (target) => {
    const metadata: HandlerMetadata = { message: command, options };
    Reflect.defineMetadata(COMMAND_HANDLER_METADATA, metadata, target);
    // Same as @Injectable(): the handler is a provider; its own @Injectable({ scope }) still applies.
    if (!Reflect.hasOwnMetadata('scope:options', target)) Injectable()(target);
  };
}
