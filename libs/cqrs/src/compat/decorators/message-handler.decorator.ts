import { randomUUID } from 'node:crypto';
import { handlerDecorator, type HandlerDecoratorOptions } from '../../decorators/handler-decorator';
import type { HandlerMetadata } from '../../decorators/handler-metadata';
import type { MessageClass } from '../../message/message-class';

/**
 * A Cello handler decorator whose handler is called with the message alone,
 * as @nestjs/cqrs calls it. The message class also gets an id, which
 * `CommandBus.bind`/`QueryBus.bind` route by.
 */
export function compatHandlerDecorator(
  decorator: string,
  celloKey: string,
  idKey: string,
  message: MessageClass,
  options: HandlerDecoratorOptions,
): ClassDecorator {
  const cello = handlerDecorator(decorator, celloKey, message, options);
  return (target) => {
    cello(target);
    const metadata = Reflect.getOwnMetadata(celloKey, target) as HandlerMetadata;
    Reflect.defineMetadata(celloKey, { ...metadata, messageOnly: true }, target);
    if (!Reflect.hasOwnMetadata(idKey, message)) {
      Reflect.defineMetadata(idKey, { id: randomUUID() }, message);
    }
  };
}

/** The id `compatHandlerDecorator` gave a message's class, if any. */
export function compatMessageId(idKey: string, message: object): string | undefined {
  const type = (message as { constructor?: object }).constructor;
  if (type === undefined) return undefined;
  return (Reflect.getMetadata(idKey, type) as { id: string } | undefined)?.id;
}
