import { type ContextId, ContextIdFactory } from '@nestjs/core';

const ASYNC_CONTEXT = Symbol('cello:cqrs-compat:async-context');

/**
 * One unit of work's context id: request-scoped handlers of a command, the
 * events it publishes and the commands a saga derives from them resolve in
 * the same Nest context (and see this object as `REQUEST`).
 */
export class AsyncContext {
  /** The Nest context id request-scoped providers are resolved in. */
  readonly id: ContextId = ContextIdFactory.create();

  /** Carries this context on `target` (a command, query or event), hidden from serialisers. */
  attachTo(target: object): void {
    Object.defineProperty(target, ASYNC_CONTEXT, { value: this, enumerable: false });
  }

  /** True when `target` already carries a context. */
  static isAttached(target: object): boolean {
    return AsyncContext.of(target) !== undefined;
  }

  /** Gives `to` the context `from` carries (e.g. a saga's command from its event). */
  static merge(from: object | undefined, to: object | undefined): void {
    if (!from || !to) return;
    const context = AsyncContext.of(from);
    if (context !== undefined && !AsyncContext.isAttached(to)) context.attachTo(to);
  }

  /** The context `target` carries, or `undefined`. */
  static of(target: object): AsyncContext | undefined {
    return (target as { [ASYNC_CONTEXT]?: AsyncContext })[ASYNC_CONTEXT];
  }
}
