import { Injectable, Scope } from '@nestjs/common';
import {
  type DecoratorTarget,
  describeDecoratorTarget,
  isOptionsObject,
  unknownOptionKeys,
} from '@cello/core/internal';
import type { MessageRouteOptions } from '../cqrs-module-options';
import { InvalidCqrsDecoratorError } from '../errors/invalid-cqrs-decorator.error';
import type { MessageClass } from '../message/message-class';
import type { HandlerMetadata } from './handler-metadata';

/** Options of `@CommandHandler`/`@QueryHandler`: the route's settings and the provider's scope. */
export interface HandlerDecoratorOptions extends MessageRouteOptions {
  /**
   * Injection scope of the handler provider, as `@Injectable({ scope })`:
   * `Scope.REQUEST` or `Scope.TRANSIENT` handlers are resolved per dispatch.
   * Default: the provider's own scope (a singleton).
   */
  readonly scope?: Scope;
  /** A durable request-scoped handler (per tenant, see Nest's `ContextIdStrategy`). Default false. */
  readonly durable?: boolean;
}

const KNOWN_OPTIONS = ['timeout', 'middleware', 'validate', 'scope', 'durable'];
const SCOPES: readonly unknown[] = [Scope.DEFAULT, Scope.REQUEST, Scope.TRANSIENT];

/**
 * The class decorator behind `@CommandHandler` and `@QueryHandler`: checks its
 * arguments when the class is declared, records the metadata, and makes the
 * class an injectable provider with the scope asked for.
 */
export function handlerDecorator(
  decorator: string,
  metadataKey: string,
  message: MessageClass,
  options: HandlerDecoratorOptions,
): ClassDecorator {
  const fail = (where: string, problem: string, fix: string) =>
    new InvalidCqrsDecoratorError(decorator, where, problem, fix);
  if (typeof message !== 'function') {
    throw fail(
      'a class',
      `the first argument is ${String(message)}, not a class.`,
      `Pass the class it handles: ${decorator}(MyMessage).`,
    );
  }
  checkOptions(decorator, message, options, (problem, fix) => fail('a class', problem, fix));
  const decorate = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const use: DecoratorTarget = { target, key, descriptor };
    if (key !== undefined) {
      throw fail(
        describeDecoratorTarget(use),
        'it is a class decorator, but it was put on a member.',
        `Put ${decorator}(${message.name}) on the handler class, whose execute() handles the message.`,
      );
    }
    const { scope, durable, ...route } = options;
    const metadata: HandlerMetadata = { message, options: route };
    Reflect.defineMetadata(metadataKey, metadata, target);
    if (scope !== undefined || durable !== undefined) {
      Injectable({ scope, durable })(target as never);
    } else if (!Reflect.hasOwnMetadata('scope:options', target)) {
      // Same as @Injectable(): the handler is a provider; its own @Injectable({ scope }) still applies.
      Injectable()(target as never);
    }
  };
  return decorate as ClassDecorator;
}

function checkOptions(
  decorator: string,
  message: MessageClass,
  options: HandlerDecoratorOptions,
  fail: (problem: string, fix: string) => Error,
): void {
  const call = `${decorator}(${message.name}, { ... })`;
  if (!isOptionsObject(options)) {
    throw fail(`its options are ${String(options)}, not an object.`, `Pass an object: ${call}.`);
  }
  const unknown = unknownOptionKeys(options, KNOWN_OPTIONS);
  if (unknown.length > 0) {
    throw fail(
      `it has no option ${unknown.map((key) => `"${key}"`).join(', ')}; Cello would ignore it.`,
      `Use only ${KNOWN_OPTIONS.join(', ')}, or set the rest per message in CqrsModule.forRoot({ messages }).`,
    );
  }
  const { timeout, middleware, validate, scope, durable } = options;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0)) {
    throw fail(`timeout is ${String(timeout)}.`, 'Give a number of seconds >= 0 (0 = no limit).');
  }
  if (middleware !== undefined && !Array.isArray(middleware)) {
    throw fail('middleware is not an array.', 'Give a list: { middleware: [MyMiddleware] }.');
  }
  if (validate !== undefined && typeof validate !== 'boolean') {
    throw fail(`validate is ${String(validate)}.`, 'Give true or false.');
  }
  if (scope !== undefined && !SCOPES.includes(scope)) {
    throw fail(
      `scope is ${String(scope)}.`,
      'Give Scope.DEFAULT, Scope.REQUEST or Scope.TRANSIENT from @nestjs/common.',
    );
  }
  if (durable !== undefined && typeof durable !== 'boolean') {
    throw fail(`durable is ${String(durable)}.`, 'Give true or false.');
  }
}
