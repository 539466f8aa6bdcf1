import { randomUUID } from 'node:crypto';
import { runInMessageContext, traced } from '@cello/core/internal';
import type { ParkedEvent, StoredEvent } from '../store/event-storage';
import { describeError } from './describe-error';
import type { EventBatchItem } from './event-batch';
import type { ProcessorLeaseHolder } from './processor-lease-holder';
import type { ProcessorSignals } from './processor-signals';
import type { ProcessorStatus } from './processor-status';
import { retryDelayMs } from './retry-backoff';
import type {
  BoundEventBatchHandler,
  HandledEventType,
  SubscriberDefinition,
} from './subscriber-definition';
import type { SubscriptionEnvelope } from './subscription-envelope';
import type { SubscriptionProcessorContext } from './subscription-processor-context';
import { isTransientError } from './transient-error-classifier';

/** How a delivery with retries ended. */
type RetryOutcome =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'interrupted' }
  /** Failed `maxAttempts` times with errors that are not transient, while the storage answered. */
  | { readonly outcome: 'exhausted'; readonly errorText: string; readonly attempts: number };

type Delivery = 'delivered' | 'parked' | 'stop' | 'interrupted';

/** How the delivery of a page ended. */
export interface PageDelivery {
  /** The last position finished (delivered, parked or not handled). */
  readonly finished: number;
  /** An event kept failing and the subscriber stops on it (`onFailure: 'stop'`). */
  readonly failed: boolean;
}

/** A stored event of a read page with what handles it. */
interface PageEvent {
  readonly stored: StoredEvent;
  readonly handled: HandledEventType;
}

/** True when the type goes to `@EventBatchHandler` methods. */
function isBatched(handled: HandledEventType): boolean {
  return handled.batchHandlers !== undefined && handled.batchHandlers.length > 0;
}

/** The correlation id all events of a batch share, else a new one for the batch call. */
function batchCorrelationId(items: readonly EventBatchItem[]): string {
  const shared = items[0].envelope.metadata?.correlationId;
  if (typeof shared !== 'string') return randomUUID();
  return items.every((item) => item.envelope.metadata?.correlationId === shared)
    ? shared
    : randomUUID();
}

/** A transient failure is logged on its first attempts, then every tenth: it may last hours. */
function isLoggedRetry(attempt: number): boolean {
  return attempt <= 3 || attempt % 10 === 0;
}

/**
 * Delivers a page of the global log to one subscriber: the handled event types
 * in position order, with retries; parks what keeps failing.
 *
 * Types handled by `@EventBatchHandler` methods go to them a run at a time:
 * the consecutive batch-handled events of a page (up to the next per-event
 * handled one). A run that still fails after its attempts is re-delivered one
 * event at a time, so only the event that keeps failing is parked.
 */
export class SubscriptionDelivery {
  /** Events of this subscriber parked earlier and not yet past the checkpoint: position -> parked id. */
  private parkedAhead = new Map<number, number>();

  constructor(
    private readonly definition: SubscriberDefinition,
    private readonly context: SubscriptionProcessorContext,
    private readonly status: ProcessorStatus,
    private readonly signals: ProcessorSignals,
    private readonly leases: ProcessorLeaseHolder,
  ) {}

  private get name(): string {
    return this.definition.name;
  }

  private get settings() {
    return this.definition.settings;
  }

  /** Remembers the subscriber's parked events after `checkpoint` (they stopped it earlier). */
  parkedSince(parked: readonly ParkedEvent[], checkpoint: number): void {
    this.parkedAhead = new Map(
      parked.filter((p) => p.position > checkpoint).map((p) => [p.position, p.id]),
    );
  }

  /** Forgets every parked event remembered (the checkpoint was moved). */
  forgetParked(): void {
    this.parkedAhead.clear();
  }

  /** Forgets the parked events up to `position`: the checkpoint moved past them. */
  forgetParkedUpTo(position: number): void {
    for (const parked of this.parkedAhead.keys()) {
      if (parked <= position) this.parkedAhead.delete(parked);
    }
  }

  /** Delivers a page read after `checkpoint`, until its end, a stop or the loss of the lease. */
  async deliverPage(batch: readonly StoredEvent[], checkpoint: number): Promise<PageDelivery> {
    let finished = checkpoint;
    let failed = false;
    /** Up to this index, batch-handled events go one at a time (their run failed as a whole). */
    let isolateUntil = 0;
    for (let i = 0; i < batch.length;) {
      if (this.signals.stopping || this.leases.isLost) break;
      const stored = batch[i];
      const handled = this.definition.handledTypes.get(stored.type);
      if (handled && isBatched(handled) && i >= isolateUntil) {
        const end = this.runEnd(batch, i);
        const run = this.handledIn(batch, i, end);
        if (run.length > 1) {
          const delivery = await this.deliverRun(run);
          if (delivery === 'interrupted') break;
          if (delivery === 'delivered') {
            finished = batch[end - 1].position;
            i = end;
            continue;
          }
          isolateUntil = end;
        }
      }
      if (handled) {
        const delivery = await this.deliver(stored, handled);
        if (delivery === 'interrupted') break;
        if (delivery === 'stop') {
          failed = true;
          break;
        }
      }
      finished = stored.position;
      i += 1;
    }
    return { finished, failed };
  }

  /** Delivers one event once, outside the loop (replay of a parked event). Throws what the handler throws. */
  async deliverOnce(stored: StoredEvent): Promise<boolean> {
    const handled = this.definition.handledTypes.get(stored.type);
    if (!handled) return false;
    await this.invoke(stored, handled, 1);
    return true;
  }

  /** Index after the run of batch-handled events starting at `start` (stops at a per-event type). */
  private runEnd(batch: readonly StoredEvent[], start: number): number {
    let end = start;
    while (end < batch.length) {
      const handled = this.definition.handledTypes.get(batch[end].type);
      if (handled && !isBatched(handled)) break;
      end += 1;
    }
    return end;
  }

  /** The handled events of `batch[start, end)`. */
  private handledIn(batch: readonly StoredEvent[], start: number, end: number): PageEvent[] {
    const run: PageEvent[] = [];
    for (let i = start; i < end; i++) {
      const handled = this.definition.handledTypes.get(batch[i].type);
      if (handled) run.push({ stored: batch[i], handled });
    }
    return run;
  }

  /** The subscriber's own classification first (`isTransient`), then Cello's. */
  private isTransient(error: unknown): boolean {
    const own = this.settings.isTransient;
    if (own) {
      try {
        const verdict = own(error);
        if (verdict !== undefined) return verdict;
      } catch (classifierError) {
        this.context.logger.warn?.(
          `Subscriber "${this.name}": its isTransient threw (${describeError(classifierError)}); ` +
            "Cello's classification applies",
        );
      }
    }
    return isTransientError(error);
  }

  /** True when the event storage answers a ping: an error met meanwhile is the event's, not an outage's. */
  private async storageAnswers(): Promise<boolean> {
    try {
      await this.context.storage.ping();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Calls `attemptOnce` until it resolves. Transient errors (see `isTransient`)
   * are retried without limit; the others `maxAttempts` times, and only while
   * the event storage answers: an error met while it does not may be the same
   * outage, so it is retried rather than trusted to be the event's fault.
   * Backoff: doubling from `retryDelayMs`, capped at `maxRetryDelayMs`, jittered.
   */
  private async withRetries(
    what: string,
    attemptOnce: (attempt: number) => Promise<void>,
  ): Promise<RetryOutcome> {
    const { maxAttempts, retryDelayMs: baseDelay, maxRetryDelayMs } = this.settings;
    let lasting = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await attemptOnce(attempt);
          return { outcome: 'delivered' };
        } catch (error) {
          const errorText = describeError(error);
          this.status.lastError = `${what}: ${errorText}`;
          this.status.noteFailure(attempt);
          const transient = this.isTransient(error);
          if (!transient) lasting += 1;
          if (!transient && lasting >= maxAttempts) {
            if (await this.storageAnswers()) {
              return { outcome: 'exhausted', errorText, attempts: attempt };
            }
            this.context.logger.warn?.(
              `Subscriber "${this.name}" failed ${lasting} times on ${this.status.lastError}, but the ` +
                'event storage does not answer: not parking it during an outage; retrying',
            );
          } else if (transient ? isLoggedRetry(attempt) : true) {
            this.context.logger.warn?.(
              `Subscriber "${this.name}" failed on ${this.status.lastError} ` +
                (transient
                  ? `(transient, attempt ${attempt}); retrying until it goes through`
                  : `(attempt ${lasting} of ${maxAttempts}); retrying`),
            );
          }
          await this.signals.pause(retryDelayMs(attempt, baseDelay, maxRetryDelayMs));
          if (this.signals.stopping || this.leases.isLost) return { outcome: 'interrupted' };
        }
      }
    } finally {
      this.status.clearRetrying();
    }
  }

  /**
   * Delivers a run of batch-handled events with retries: every batch method
   * gets its types' events of the run, in position order, one method after the
   * other. 'failed' after the last attempt: the caller isolates the bad event.
   */
  private async deliverRun(
    run: readonly PageEvent[],
  ): Promise<'delivered' | 'failed' | 'interrupted'> {
    const span = `positions ${run[0].stored.position}..${run[run.length - 1].stored.position} (a batch of ${run.length})`;
    const result = await this.withRetries(span, (attempt) => this.invokeBatch(run, attempt));
    if (result.outcome === 'interrupted') return 'interrupted';
    if (result.outcome === 'delivered') {
      await this.unparkDelivered(run);
      return 'delivered';
    }
    this.context.logger.warn?.(
      `Subscriber "${this.name}" failed on ${this.status.lastError} after ${result.attempts} attempts; ` +
        'delivering its events one at a time to find the one that fails',
    );
    return 'failed';
  }

  /** Events of a delivered run that were parked earlier (and stopped the subscriber) are parked no more. */
  private async unparkDelivered(run: readonly PageEvent[]): Promise<void> {
    if (this.parkedAhead.size === 0) return;
    for (const { stored } of run) {
      const parkedId = this.parkedAhead.get(stored.position);
      if (parkedId === undefined) continue;
      await this.context.storage.removeParked(parkedId);
      this.parkedAhead.delete(stored.position);
    }
  }

  private async invokeBatch(run: readonly PageEvent[], attempt: number): Promise<void> {
    const groups = new Map<BoundEventBatchHandler, EventBatchItem[]>();
    for (const { stored, handled } of run) {
      const item: EventBatchItem = {
        event: this.context.decode(stored),
        envelope: this.envelopeOf(stored, attempt),
      };
      for (const handler of handled.batchHandlers!) {
        const items = groups.get(handler);
        if (items) items.push(item);
        else groups.set(handler, [item]);
      }
    }
    for (const handler of this.definition.batchHandlers ?? []) {
      const items = groups.get(handler);
      if (items) await this.invokeBatchHandler(handler, items, attempt);
    }
  }

  /**
   * One call of a batch method, in a span linked to every event's appending
   * span (the appends were other traces), and in a message context: what it
   * dispatches or appends carries the batch's correlation id when all its
   * events share one, else a new one for the call (no single request caused
   * it), caused by the batch's last event.
   */
  private invokeBatchHandler(
    handler: BoundEventBatchHandler,
    items: EventBatchItem[],
    attempt: number,
  ): Promise<void> {
    const first = items[0].envelope;
    const last = items[items.length - 1].envelope;
    return traced(
      `process batch ${this.name}`,
      () => ({
        kind: 'consumer',
        linksFrom: items.map((item) => item.envelope.metadata),
        attributes: {
          'messaging.system': 'cello',
          'messaging.operation.name': 'process',
          'messaging.batch.message_count': items.length,
          'messaging.consumer.group.name': this.name,
          'cello.event.position.first': first.position,
          'cello.event.position.last': last.position,
          'cello.delivery.attempt': attempt,
        },
      }),
      () =>
        runInMessageContext(
          { correlationId: batchCorrelationId(items), causationId: last.eventId },
          async () => {
            await handler(items);
          },
        ),
    );
  }

  /** Delivers with retries; parks the event when it keeps failing (see `withRetries`). */
  private async deliver(stored: StoredEvent, handled: HandledEventType): Promise<Delivery> {
    const { onFailure } = this.settings;
    const where = `position ${stored.position} (${stored.type} in "${stored.streamId}")`;
    const result = await this.withRetries(where, (attempt) =>
      this.invoke(stored, handled, attempt),
    );
    if (result.outcome === 'interrupted') return 'interrupted';
    if (result.outcome === 'delivered') {
      const parkedId = this.parkedAhead.get(stored.position);
      if (parkedId !== undefined) {
        // It failed before and stopped the subscriber; now it went through.
        await this.context.storage.removeParked(parkedId);
        this.parkedAhead.delete(stored.position);
      }
      return 'delivered';
    }
    if (!this.parkedAhead.has(stored.position)) {
      await this.context.storage.parkEvent(this.name, stored, result.errorText, result.attempts);
      this.context.reportParked?.();
    }
    this.context.logger.error?.(
      `Subscriber "${this.name}" parked ${this.status.lastError} after ${result.attempts} attempts; ` +
        (onFailure === 'stop'
          ? 'it stops here (onFailure: stop). Fix the cause, then restart it with SubscriptionManager.start().'
          : 'moving on. Replay it with SubscriptionManager.replayParked().'),
    );
    return onFailure === 'stop' ? 'stop' : 'parked';
  }

  /** Delivers one event: to its `@EventHandler` methods, or to its batch methods as a batch of one. */
  private invoke(stored: StoredEvent, handled: HandledEventType, attempt: number): Promise<void> {
    return traced(
      `process ${stored.type}`,
      () => ({
        kind: 'consumer',
        // The append happened in another trace (or long ago): link to it, do not nest.
        linkFrom: stored.metadata,
        attributes: {
          'messaging.system': 'cello',
          'messaging.operation.name': 'process',
          'messaging.destination.name': stored.type,
          'messaging.message.id': stored.eventId,
          'messaging.consumer.group.name': this.name,
          'cello.stream.id': stored.streamId,
          'cello.event.position': stored.position,
          'cello.delivery.attempt': attempt,
        },
      }),
      () => this.invokeUntraced(stored, handled, attempt),
    );
  }

  private async invokeUntraced(stored: StoredEvent, handled: HandledEventType, attempt: number) {
    if (isBatched(handled)) {
      await this.invokeBatch([{ stored, handled }], attempt);
      return;
    }
    const event = this.context.decode(stored);
    const envelope = this.envelopeOf(stored, attempt);
    // What the handler dispatches or appends follows from this event, in its request's correlation.
    const correlationId = stored.metadata?.correlationId;
    await runInMessageContext(
      {
        correlationId: typeof correlationId === 'string' ? correlationId : stored.eventId,
        causationId: stored.eventId,
        linkFrom: stored.metadata,
      },
      async () => {
        for (const handler of handled.handlers) await handler(event, envelope);
      },
    );
  }

  private envelopeOf(stored: StoredEvent, attempt: number): SubscriptionEnvelope {
    return {
      position: stored.position,
      streamId: stored.streamId,
      version: stored.version,
      eventId: stored.eventId,
      type: stored.type,
      metadata: stored.metadata,
      recordedAt: stored.recordedAt,
      subscriber: this.name,
      attempt,
    };
  }
}
