import type { Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { REQUEST_CONTEXT_ID } from '@nestjs/core/router/request/request-constants';
import type { MessageBus } from '../bus/message-bus';
import { AsyncContext } from './async-context';
import { compatMessageId } from './decorators/message-handler.decorator';
import { ObservableBus } from './observable-bus';

type Execute = (message: object, context?: AsyncContext) => Promise<unknown>;
type Handler = { execute(message: object): unknown };

/**
 * What the compat command and query buses share: `execute(message, asyncContext?)`
 * goes through Cello's bus (validation, middleware, time limit, metrics);
 * handlers added by hand with `bind` run directly.
 */
export abstract class CompatMessageBus<T extends object> extends ObservableBus<T> {
  private readonly bound = new Map<string, Execute>();
  /** Message classes whose handler is request-scoped or durable (found at start-up). */
  private scoped = new Set<unknown>();

  protected abstract readonly idKey: string;
  protected abstract notFound(name: string): Error;
  protected abstract invalidHandler(name: string): Error;
  protected abstract publishToObservers(message: T): void;

  protected constructor(
    private readonly cello: MessageBus & {
      dispatch(message: never, options?: { request?: unknown }): Promise<unknown>;
    },
    protected readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  /** @internal Message classes whose handlers need a context per dispatch. */
  useScoped(messageTypes: Iterable<unknown>): void {
    this.scoped = new Set(messageTypes);
  }

  /** Runs `message`'s handler (in `context` for request-scoped handlers) and resolves with its result. */
  protected run(message: T, context?: AsyncContext): Promise<unknown> {
    const type = (message as { constructor?: unknown } | null | undefined)?.constructor;
    if (!this.cello.handles(type)) {
      const id = compatMessageId(this.idKey, message);
      const bound = id === undefined ? undefined : this.bound.get(id);
      // As @nestjs/cqrs: a message without a handler throws at once, not in the promise.
      if (bound === undefined)
        throw this.notFound((type as Type | undefined)?.name ?? String(message));
      this.publishToObservers(message);
      return bound(message, context);
    }
    this.publishToObservers(message);
    const request = this.scoped.has(type) ? this.contextFor(message, context) : context;
    return this.cello.dispatch(message as never, { request });
  }

  /** Adds a handler by hand for messages of id `id` (it bypasses Cello's middleware and limits). */
  bind(handler: InstanceWrapper<Handler>, id: string): void {
    if (handler.isDependencyTreeStatic()) {
      const instance = handler.instance;
      if (typeof instance?.execute !== 'function') throw this.invalidHandler(handler.name);
      this.bound.set(id, async (message) => instance.execute(message));
      return;
    }
    this.bound.set(id, async (message, context) => {
      const asyncContext = this.contextFor(message, context);
      const instance = await this.moduleRef.resolve<unknown, Handler>(
        handler.metatype as Type<Handler>,
        asyncContext.id,
        { strict: false },
      );
      return instance.execute(message);
    });
  }

  /**
   * The dispatch's async context, registered as `REQUEST` for its context id
   * and carried on the message, so the events it leads to share it. Cello's
   * route resolves request-scoped handlers in the id stamped on it.
   */
  private contextFor(message: object, given?: AsyncContext): AsyncContext {
    const context = given ?? AsyncContext.of(message) ?? new AsyncContext();
    const carrier = context as unknown as Record<symbol, unknown>;
    if (carrier[REQUEST_CONTEXT_ID] === undefined) {
      this.moduleRef.registerRequestByContextId(context, context.id);
      Object.defineProperty(context, REQUEST_CONTEXT_ID, { value: context.id, enumerable: false });
    }
    if (!AsyncContext.isAttached(message)) context.attachTo(message);
    return context;
  }
}
