import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CelloMetrics } from '@cello/core';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { EVENT_SOURCING_OPTIONS, EVENT_STORAGE } from '../event-sourcing.constants';
import type { EventSourcingModuleOptions } from '../event-sourcing-module-options';
import { InlineSubscriberOperationError } from '../errors/inline-subscriber-operation.error';
import { InvalidResetPositionError } from '../errors/invalid-reset-position.error';
import { InvalidSubscriberError } from '../errors/invalid-subscriber.error';
import { ParkedEventNotFoundError } from '../errors/parked-event-not-found.error';
import { ReplayDisabledError } from '../errors/replay-disabled.error';
import { SubscriberNotFoundError } from '../errors/subscriber-not-found.error';
import {
  WaitForPositionTimeoutError,
  type LaggingSubscriber,
} from '../errors/wait-for-position-timeout.error';
import { EventRegistry } from '../event/event-registry';
import { EventSerializer } from '../serialization/event-serializer';
import type { EventStorage, ParkedEvent } from '../store/event-storage';
import { EventStore } from '../store/event-store';
import type { InlineProjectionStatus } from '../store/inline-projection';
import { inlineProjectionOf } from './inline-subscriber-projection';
import { SubscriberExplorer } from './subscriber-explorer';
import type { OnSubscriberReset } from './subscriber-definition';
import { SubscriptionProcessor } from './subscription-processor';
import type { SubscriptionStatus } from './subscription-status';

/** Options of `SubscriptionManager.waitForPosition`. */
export interface WaitForPositionOptions {
  /** Names of the subscribers to wait for. Default: all. */
  subscribers?: readonly string[];
  /** Give up after this many milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Stops waiting when aborted (e.g. the HTTP client went away): rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Default bound of `waitForPosition`. */
const DEFAULT_WAIT_TIMEOUT_MS = 5000;
/** How often `waitForPosition` reads the durable checkpoint of a subscriber run elsewhere. */
const REMOTE_CHECKPOINT_POLL_MS = 50;

/**
 * Runs the application's subscribers: one processor per subscriber, started
 * at bootstrap (`subscriptions.autoStart`) and stopped at shutdown. Also the
 * operator's handle on them: status, reset and rebuild, parked events, and
 * `waitForPosition` for read-your-writes.
 */
@Injectable()
export class SubscriptionManager implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SubscriptionManager.name);
  /** This instance's lease owner id: unique per application instance, even within one process. */
  readonly instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly processors = new Map<string, SubscriptionProcessor>();
  private unsubscribeAppended?: () => void;
  private discovered = false;
  private started = false;

  constructor(
    @Inject(EVENT_STORAGE) private readonly storage: EventStorage,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingModuleOptions,
    private readonly explorer: SubscriberExplorer,
    private readonly serializer: EventSerializer,
    private readonly registry: EventRegistry,
    @Optional() private readonly metrics: CelloMetrics = CelloMetrics.disabled,
    // Runs the inline subscribers; absent only where a test builds the manager by hand.
    @Optional() private readonly eventStore?: EventStore,
  ) {}

  /**
   * Finds the subscribers (once) and checks them: throws on a misdeclared one
   * (e.g. two sharing a name). Called at module init, before the storage connects.
   */
  discoverSubscribers(): void {
    this.discover();
  }

  /** Discovers the subscribers (once) and starts them unless `subscriptions.autoStart` is false. */
  onApplicationBootstrap(): void {
    this.discover();
    if (this.options.subscriptions?.autoStart !== false) this.start();
  }

  /** Nest hook: stops every subscriber. */
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Names of the discovered subscribers, then of the inline projections. */
  get subscriberNames(): string[] {
    return [...this.processors.keys(), ...this.inlineStatuses().map((s) => s.name)];
  }

  /**
   * Starts every subscriber, or the named one (also after it failed). Returns at
   * once: processors connect in the background and retry while the storage is down.
   */
  start(name?: string): void {
    this.discover();
    if (name !== undefined) {
      this.processor(name, 'start').start();
      this.listenForAppends();
      return;
    }
    this.started = true;
    this.listenForAppends();
    for (const processor of this.processors.values()) processor.start();
  }

  /** Stops every subscriber (or the named one) after its event in progress, releasing leases. */
  async stop(name?: string): Promise<void> {
    if (name !== undefined) {
      await this.processor(name, 'stop').stop();
      return;
    }
    this.started = false;
    this.unsubscribeAppended?.();
    this.unsubscribeAppended = undefined;
    await Promise.all([...this.processors.values()].map((processor) => processor.stop()));
  }

  /**
   * Moves a subscriber's checkpoint back to `position` (0 = the beginning) and
   * lets it replay from there. Calls its `onSubscriberReset(position)` hook first.
   * Needs `enableReplay`. Works from any instance when the backend's
   * `resetCheckpoint` fences the current holder (PostgreSQL does): that holder
   * then re-reads the checkpoint. The hook runs in the calling instance.
   * An inline subscriber only takes 0: it is rebuilt (see `rebuild`).
   */
  async reset(name: string, position = 0): Promise<void> {
    if (this.inlineStatus(name)) {
      if (position !== 0) {
        throw new InlineSubscriberOperationError(name, `reset to position ${String(position)}`);
      }
      if (this.options.enableReplay === false) throw new ReplayDisabledError(name);
      return this.eventStore!.rebuildInlineProjection(name);
    }
    const processor = this.processor(name);
    if (this.options.enableReplay === false) throw new ReplayDisabledError(name);
    if (!Number.isInteger(position) || position < 0) {
      throw new InvalidResetPositionError(name, position);
    }
    const wasRunning = processor.state !== 'stopped' || this.started;
    await processor.stop();
    try {
      const instance = processor.definition.instance as Partial<OnSubscriberReset>;
      if (typeof instance.onSubscriberReset === 'function') {
        await instance.onSubscriberReset(position);
      }
      await this.storage.resetCheckpoint(name, position);
      processor.checkpointMovedTo(position);
      this.logger.log(`Subscriber "${name}" reset to position ${position}`);
    } finally {
      // A failed hook or storage leaves the checkpoint as it was: carry on from there.
      if (wasRunning) processor.start();
    }
  }

  /**
   * Rebuilds a subscriber from the beginning of the log and resolves when it
   * has caught up with the head as it was when called (bounded by `timeoutMs`).
   *
   * An inline subscriber (or projection registered on the `EventStore`) is
   * rebuilt by `EventStore.rebuildInlineProjection`: reset, the log replayed a
   * page per transaction while appends skip it, then inline again. After
   * `timeoutMs` the call rejects with `WaitForPositionTimeoutError` and the
   * rebuild goes on.
   */
  async rebuild(name: string, options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.inlineStatus(name)) return this.rebuildInline(name, options.timeoutMs ?? 60_000);
    const head = await this.storage.headPosition();
    await this.reset(name, 0);
    if (!this.started) this.start(name);
    await this.waitForPosition(head, {
      subscribers: [name],
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /** Parked events, oldest first: of one subscriber, or of all. */
  async listParked(name?: string): Promise<ParkedEvent[]> {
    if (name !== undefined && this.inlineStatus(name)) return [];
    if (name !== undefined) this.processor(name);
    return this.storage.listParked(name);
  }

  /**
   * Delivers a parked event to its subscriber again, once; removes it from the
   * parked events when the handler succeeds, and throws what it throws when not.
   */
  async replayParked(id: number): Promise<void> {
    const parked = (await this.storage.listParked()).find((p) => p.id === id);
    if (!parked) throw new ParkedEventNotFoundError(id);
    const processor = this.processor(parked.processor);
    const [stored] = await this.storage.readAll({ fromPosition: parked.position, limit: 1 });
    if (!stored || stored.position !== parked.position || stored.eventId !== parked.eventId) {
      throw new ParkedEventNotFoundError(id);
    }
    await processor.deliverOnce(stored);
    await this.storage.removeParked(id);
    this.logger.log(
      `Parked event ${id} (position ${parked.position}) replayed into "${parked.processor}"`,
    );
  }

  /**
   * Drops a parked event without delivering it (the operator decided the
   * subscriber should never see it). Returns what was dropped.
   */
  async skipParked(id: number): Promise<ParkedEvent> {
    const parked = (await this.storage.listParked()).find((p) => p.id === id);
    if (!parked) throw new ParkedEventNotFoundError(id);
    await this.storage.removeParked(id);
    this.logger.log(
      `Parked event ${id} (position ${parked.position}) of "${parked.processor}" skipped: dropped undelivered`,
    );
    return parked;
  }

  /**
   * Every subscriber's state, checkpoint, head position and lag; then every
   * inline one (`mode: 'inline'`): never behind while it runs inline, its
   * rebuild's progress while rebuilt, `failed` when that rebuild failed.
   */
  async status(): Promise<SubscriptionStatus[]> {
    let headPosition = 0;
    try {
      headPosition = await this.storage.headPosition();
    } catch {
      // Reported through each processor's lastError; status must answer while the storage is down.
    }
    const statuses: SubscriptionStatus[] = [];
    for (const processor of this.processors.values()) {
      const checkpoint = await this.knownCheckpoint(processor);
      const leaseHolder = await this.leaseHolder(processor);
      statuses.push({
        name: processor.name,
        mode: 'async',
        state: processor.state,
        checkpoint,
        headPosition,
        lag: Math.max(0, headPosition - checkpoint),
        ...(leaseHolder !== undefined ? { leaseHolder } : {}),
        ...(processor.lastError !== undefined ? { lastError: processor.lastError } : {}),
        ...(processor.retrying !== undefined ? { retrying: processor.retrying } : {}),
      });
    }
    for (const inline of this.inlineStatuses()) {
      const checkpoint = inline.state === 'inline' ? headPosition : (inline.rebuiltUpTo ?? 0);
      statuses.push({
        name: inline.name,
        mode: 'inline',
        state: inline.state === 'failed' ? 'failed' : 'running',
        checkpoint,
        headPosition,
        lag: Math.max(0, headPosition - checkpoint),
        ...(inline.state === 'rebuilding' ? { rebuilding: true } : {}),
        ...(inline.lastError !== undefined ? { lastError: inline.lastError } : {}),
      });
    }
    return statuses;
  }

  /**
   * Resolves when the named subscribers (default: all) have finished every event
   * up to `position` — read-your-writes after a command that appended there.
   * Rejects with `WaitForPositionTimeoutError` naming who lagged after `timeoutMs`.
   */
  async waitForPosition(position: number, options: WaitForPositionOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    this.discover();
    const names = options.subscribers ?? this.subscriberNames;
    // An inline subscriber is there once it runs inline again (it lags only while rebuilt).
    const inline = names.filter((name) => this.inlineStatus(name));
    const targets = names.filter((name) => !inline.includes(name)).map((n) => this.processor(n));
    const deadline = Date.now() + timeoutMs;
    const { signal } = options;
    let pending = targets;
    for (;;) {
      signal?.throwIfAborted();
      const checkpoints = await Promise.all(pending.map((p) => this.knownCheckpoint(p)));
      pending = pending.filter((_, i) => checkpoints[i] < position);
      const rebuilding = inline.filter((name) => this.inlineStatus(name)?.state !== 'inline');
      if (pending.length === 0 && rebuilding.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        const lagging: LaggingSubscriber[] = await Promise.all(
          pending.map(async (p) => ({
            name: p.name,
            checkpoint: await this.knownCheckpoint(p),
            state: p.state,
          })),
        );
        for (const name of rebuilding) {
          const status = this.inlineStatus(name)!;
          lagging.push({ name, checkpoint: status.rebuiltUpTo ?? 0, state: status.state });
        }
        throw new WaitForPositionTimeoutError(position, timeoutMs, lagging);
      }
      await this.nextProgress(pending, Math.min(left, REMOTE_CHECKPOINT_POLL_MS), signal);
    }
  }

  private discover(): void {
    if (this.discovered) return;
    this.discovered = true;
    const definitions = this.explorer.explore(this.options.subscriptions);
    const decode = this.serializer.deserialize.bind(this.serializer);
    for (const definition of definitions) {
      for (const handled of definition.handledTypes.values()) {
        this.registry.registerEvent(handled.eventClass);
      }
      if (definition.inline) {
        if (!this.eventStore) {
          throw new InvalidSubscriberError(
            definition.className,
            'it is inline, but no EventStore runs here: import EventSourcingModule.forRoot.',
          );
        }
        this.eventStore.registerInlineProjection(inlineProjectionOf(definition));
        continue;
      }
      const processor = new SubscriptionProcessor(definition, {
        storage: this.storage,
        owner: this.instanceId,
        decode: (stored) => decode(stored).event,
        logger: this.logger,
        reportLag: (lag) => this.metrics.projectionLag?.set({ projection: definition.name }, lag),
        reportRetrying: (retrying) =>
          this.metrics.projectionRetrying?.set({ projection: definition.name }, retrying ? 1 : 0),
        reportParked: () =>
          this.metrics.projectionEventsParked?.inc({ projection: definition.name }),
      });
      this.processors.set(definition.name, processor);
    }
    if (definitions.length > 0) {
      this.logger.log(
        `Subscribers: ${definitions
          .map((d) => `"${d.name}" (${d.className}${d.inline ? ', inline' : ''})`)
          .join(', ')}`,
      );
    }
  }

  private listenForAppends(): void {
    if (this.unsubscribeAppended) return;
    this.unsubscribeAppended = this.storage.onAppended(() => {
      for (const processor of this.processors.values()) processor.wake();
    });
  }

  private processor(name: string, operation = 'this operation'): SubscriptionProcessor {
    this.discover();
    const processor = this.processors.get(name);
    if (processor) return processor;
    if (this.inlineStatus(name)) throw new InlineSubscriberOperationError(name, operation);
    throw new SubscriberNotFoundError(name, this.subscriberNames);
  }

  /** The inline projections of the event store (declared inline, or registered on it). */
  private inlineStatuses(): InlineProjectionStatus[] {
    return this.eventStore?.inlineProjectionStatus() ?? [];
  }

  /** The inline projection named `name` (when no asynchronous subscriber has that name). */
  private inlineStatus(name: string): InlineProjectionStatus | undefined {
    this.discover();
    if (this.processors.has(name)) return undefined;
    return this.inlineStatuses().find((status) => status.name === name);
  }

  /** Rebuilds an inline projection; past `timeoutMs` rejects as a wait would, and lets it go on. */
  private async rebuildInline(name: string, timeoutMs: number): Promise<void> {
    if (this.options.enableReplay === false) throw new ReplayDisabledError(name);
    const rebuild = this.eventStore!.rebuildInlineProjection(name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      if ((await Promise.race([rebuild, timeout])) !== 'timeout') return;
    } finally {
      clearTimeout(timer);
    }
    rebuild.catch((error: unknown) => {
      this.logger.error(`Rebuild of inline subscriber "${name}" failed: ${String(error)}`);
    });
    const head = await this.storage.headPosition();
    const status = this.inlineStatus(name);
    throw new WaitForPositionTimeoutError(head, timeoutMs, [
      { name, checkpoint: status?.rebuiltUpTo ?? 0, state: status?.state ?? 'rebuilding' },
    ]);
  }

  /** The checkpoint as this instance runs it, or as stored when another instance runs it. */
  private async knownCheckpoint(processor: SubscriptionProcessor): Promise<number> {
    if (processor.isActive) return processor.checkpoint;
    try {
      return Math.max(processor.checkpoint, await this.storage.readCheckpoint(processor.name));
    } catch {
      return processor.checkpoint;
    }
  }

  /** This instance while it runs the processor, else the live lease's owner as stored. */
  private async leaseHolder(processor: SubscriptionProcessor): Promise<string | undefined> {
    if (processor.state === 'running') return this.instanceId;
    if (!this.storage.readLease) return undefined;
    try {
      return (await this.storage.readLease(processor.name))?.owner;
    } catch {
      return undefined;
    }
  }

  /** Waits until one of `processors` reports progress, or `ms`. */
  /** Resolves on the next progress of one of `processors`, after `ms`, or when `signal` aborts. */
  private nextProgress(
    processors: SubscriptionProcessor[],
    ms: number,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve) => {
      const unsubscribes: (() => void)[] = [];
      const done = () => {
        clearTimeout(timer);
        for (const unsubscribe of unsubscribes) unsubscribe();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const processor of processors) unsubscribes.push(processor.onProgress(done));
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
