import { Inject, Injectable, Optional, type Type } from '@nestjs/common';
import { CelloMetrics } from '@cello/core';
import { isOptionalPeerInstalled } from '@cello/core/internal';
import { type ContextId, ContextIdFactory, ModuleRef } from '@nestjs/core';
import { REQUEST_CONTEXT_ID } from '@nestjs/core/router/request/request-constants';
import { CQRS_MODULE_OPTIONS } from '../cqrs.module-definition';
import type { CqrsModuleOptions, MessageRouteConfig } from '../cqrs-module-options';
import { getBusMiddleware } from '../decorators/use-bus-middleware.decorator';
import type { DiscoveredHandler } from '../discovery/handler-explorer';
import { InvalidCqrsOptionError } from '../errors/invalid-cqrs-option.error';
import type { MessageClass, MessageKind } from '../message/message-class';
import type { BusMiddleware, BusMiddlewareRef } from '../middleware/bus-middleware';
import { DeadlineScheduler } from '../timeouts/deadline-scheduler';
import { MessageValidator } from '../validation/message-validator';
import type { DispatchContext } from './dispatch-context';
import { Route, type HandlerInvoker } from './route';
import { routeMetrics } from './route-metrics';

type Handler = { execute(message: object, context?: DispatchContext): unknown };

/** Settings that apply to every route of one bus. */
export interface BusSettings {
  readonly kind: MessageKind;
  /** The bus's time limit in seconds (0 = none). */
  readonly timeoutSeconds: number;
  readonly optionName: string;
  readonly middleware: readonly BusMiddlewareRef[];
  readonly timeoutError: (messageName: string, timeoutMs: number) => Error;
}

function seconds(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidCqrsOptionError(
      option,
      `expected a number of seconds >= 0 (0 = no limit), got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Builds the routes of a bus from the discovered handlers, once at start-up:
 * handler instance (or per-dispatch resolver for request-scoped handlers),
 * middleware instances, validator, time limit.
 */
@Injectable()
export class RouteFactory {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(CQRS_MODULE_OPTIONS) private readonly options: CqrsModuleOptions,
    /** Present when the app imports CelloMetricsModule; metrics are optional. */
    @Optional() private readonly metrics?: CelloMetrics,
  ) {}

  /** The routes for `handlers`, and the scheduler their deadlines use. */
  async build(
    settings: BusSettings,
    handlers: Map<MessageClass, DiscoveredHandler>,
  ): Promise<{ routes: Map<MessageClass, Route>; scheduler: DeadlineScheduler }> {
    const perMessage = new Map<MessageClass, MessageRouteConfig>();
    for (const config of this.options.messages ?? []) perMessage.set(config.message, config);
    const defaultTimeout = seconds(settings.optionName, settings.timeoutSeconds);

    const plans = [...handlers].map(([messageType, handler]) => {
      const config = perMessage.get(messageType);
      const declared = config?.timeout ?? handler.metadata.options.timeout ?? defaultTimeout;
      const timeoutMs = Math.round(seconds(`timeout of ${messageType.name}`, declared) * 1000);
      return { messageType, handler, config, timeoutMs };
    });
    const limits = plans.map((plan) => plan.timeoutMs).filter((ms) => ms > 0);
    // Tick at a quarter of the smallest limit, at most every 10 ms: limits fire at most a tick late.
    const resolution = Math.max(1, Math.min(10, Math.floor(Math.min(...limits, 40) / 4)));
    const scheduler = new DeadlineScheduler(resolution);
    const queues = new Map<number, ReturnType<DeadlineScheduler['queueFor']>>();

    const routes = new Map<MessageClass, Route>();
    const created = new Map<unknown, Promise<BusMiddleware>>();
    let validateByDefault: boolean | undefined;
    for (const { messageType, handler, config, timeoutMs } of plans) {
      const refs = [
        ...settings.middleware,
        ...getBusMiddleware(messageType),
        ...getBusMiddleware(handler.handlerType),
        ...(handler.metadata.options.middleware ?? []),
        ...(config?.middleware ?? []),
      ];
      // Asked for: class-validator must be installed. By default: on when it is (an app
      // without it has no constraints to check).
      const validate =
        config?.validate ??
        handler.metadata.options.validate ??
        this.options.validate ??
        (validateByDefault ??= isOptionalPeerInstalled('class-validator', require));
      let deadlines = queues.get(timeoutMs);
      if (timeoutMs > 0 && deadlines === undefined) {
        deadlines = scheduler.queueFor(timeoutMs);
        queues.set(timeoutMs, deadlines);
      }
      routes.set(
        messageType,
        new Route({
          kind: settings.kind,
          messageType,
          handlerName: handler.handlerType.name,
          invokeHandler: this.invoker(handler),
          middleware: await Promise.all(
            refs.map((ref) => this.middleware(ref, this.hostModuleRef(handler), created)),
          ),
          validator: validate ? MessageValidator.forClass(messageType) : undefined,
          timeoutMs,
          deadlines,
          timeoutError: settings.timeoutError,
          metrics: routeMetrics(this.metrics, settings.kind, messageType.name),
        }),
      );
    }
    return { routes, scheduler };
  }

  private invoker({ wrapper, metadata }: DiscoveredHandler): HandlerInvoker {
    const token = wrapper.token;
    // @nestjs/cqrs-shaped handlers take the message alone (their callers check the arguments).
    const run = metadata.messageOnly
      ? (instance: Handler, message: object) => instance.execute(message)
      : (instance: Handler, message: object, context: DispatchContext) =>
          instance.execute(message, context);
    if (wrapper.isTransient && wrapper.isDependencyTreeStatic()) {
      // Transient: a fresh handler per dispatch, as each injection of it gets its own.
      return (message, context) =>
        this.moduleRef
          .resolve<object, Handler>(token, ContextIdFactory.create(), { strict: false })
          .then((instance) => run(instance, message, context));
    }
    if (wrapper.isDependencyTreeStatic()) {
      const instance = wrapper.instance as Handler;
      return (message, context) => run(instance, message, context);
    }
    // Request-scoped or durable: one instance per context id, resolved at dispatch time by
    // the provider's token (a factory or a class under another token is not its class).
    const durable = wrapper.isDependencyTreeDurable();
    return (message, context) => {
      const contextId = this.contextIdOf(context.request, durable);
      return this.moduleRef
        .resolve<object, Handler>(token, contextId, { strict: false })
        .then((instance) => run(instance, message, context));
    };
  }

  /** The request's context id, made and registered on first use, as Nest's router does for HTTP. */
  private contextIdOf(request: unknown, durable: boolean): ContextId {
    if (typeof request !== 'object' || request === null) return ContextIdFactory.create();
    const carrier = request as Record<symbol, ContextId | undefined>;
    const existing = carrier[REQUEST_CONTEXT_ID];
    if (existing !== undefined) return existing;
    const contextId = ContextIdFactory.getByRequest(request);
    Object.defineProperty(request, REQUEST_CONTEXT_ID, { value: contextId, enumerable: false });
    const provided = durable ? contextId.payload : Object.assign(request, contextId.payload);
    this.moduleRef.registerRequestByContextId(provided, contextId);
    return contextId;
  }

  /** The ModuleRef of the module that declares the handler, so its middleware sees that module's providers. */
  private hostModuleRef({ wrapper }: DiscoveredHandler): ModuleRef {
    const host = wrapper.host?.getProviderByKey(ModuleRef)?.instance as ModuleRef | undefined;
    return host ?? this.moduleRef;
  }

  private async middleware(
    ref: BusMiddlewareRef,
    moduleRef: ModuleRef,
    created: Map<unknown, Promise<BusMiddleware>>,
  ): Promise<BusMiddleware> {
    if (typeof ref === 'function') {
      const candidate = ref as
        Type<BusMiddleware> | ((...args: Parameters<BusMiddleware['handle']>) => Promise<unknown>);
      if (typeof (candidate as Type<BusMiddleware>).prototype?.handle === 'function') {
        const type = candidate as Type<BusMiddleware>;
        let instance = created.get(type);
        if (instance === undefined) {
          instance = this.instantiate(type, moduleRef);
          created.set(type, instance);
        }
        return instance;
      }
      const fn = candidate as BusMiddleware['handle'];
      return { handle: fn };
    }
    if (ref !== null && typeof ref === 'object' && typeof ref.handle === 'function') return ref;
    throw new InvalidCqrsOptionError(
      'middleware',
      `${String(ref)} is neither a function, an object with handle(), nor a class implementing BusMiddleware.`,
    );
  }

  private async instantiate(
    type: Type<BusMiddleware>,
    moduleRef: ModuleRef,
  ): Promise<BusMiddleware> {
    try {
      return moduleRef.get(type, { strict: false });
    } catch {
      // Not registered as a provider: build it with its dependencies injected.
      return moduleRef.create(type);
    }
  }
}
