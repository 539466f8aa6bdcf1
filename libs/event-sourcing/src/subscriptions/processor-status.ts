import type { EventLog } from '../store/event-storage';
import type { SubscriberDefinition } from './subscriber-definition';
import type { SubscriptionState } from './subscription-status';

/** What a processor is retrying, while it is. */
export interface SubscriptionRetry {
  /** When the first attempt of the event, batch or storage call it is stuck on failed. */
  readonly since: Date;
  /** Failed attempts so far. */
  readonly attempts: number;
}

/** The metric callbacks a processor reports to. */
export interface ProcessorMetricReporters {
  /** Told how many events the subscriber is behind the log head after each batch and retry. */
  readonly reportLag?: (lag: number) => void;
  /** Told when the subscriber starts (true) and stops (false) retrying a failure. */
  readonly reportRetrying?: (retrying: boolean) => void;
}

/**
 * What a subscription processor shows of itself: its state, the checkpoint it
 * knows, the last error, what it is retrying, and the lag metric. Listeners
 * hear of every change of state or checkpoint.
 */
export class ProcessorStatus {
  private currentState: SubscriptionState = 'stopped';
  /** The last position finished, as known by this instance. */
  checkpoint = 0;
  /** The last error met (handler or storage), as one line. */
  lastError?: string;
  private readonly progressListeners = new Set<() => void>();
  /** The head-position query of the lag metric, while in flight. */
  private lagQuery?: Promise<void>;
  /** While retrying a failure: when it began (epoch ms), and the failed attempts. */
  private retryStartedAt?: number;
  private retryAttempts = 0;

  constructor(
    private readonly definition: SubscriberDefinition,
    private readonly storage: Pick<EventLog, 'headPosition'>,
    private readonly reporters: ProcessorMetricReporters,
  ) {}

  get state(): SubscriptionState {
    return this.currentState;
  }

  /** What it is retrying now (a failing event or batch, or the unreachable storage), if anything. */
  get retrying(): SubscriptionRetry | undefined {
    if (this.retryStartedAt === undefined) return undefined;
    return { since: new Date(this.retryStartedAt), attempts: this.retryAttempts };
  }

  /** Sets the state without telling the listeners (the loop is only starting). */
  resetState(state: SubscriptionState): void {
    this.currentState = state;
  }

  setState(state: SubscriptionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.notifyProgress();
  }

  /** Calls `listener` whenever the checkpoint or state changes. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  notifyProgress(): void {
    for (const listener of this.progressListeners) listener();
  }

  /** Notes a failed attempt: the first one starts the stall, and every one refreshes the lag metric. */
  noteFailure(attempts: number): void {
    if (this.retryStartedAt === undefined) {
      this.retryStartedAt = Date.now();
      this.reporters.reportRetrying?.(true);
    }
    this.retryAttempts = attempts;
    this.refreshLag();
  }

  clearRetrying(): void {
    if (this.retryStartedAt === undefined) return;
    this.retryStartedAt = undefined;
    this.retryAttempts = 0;
    this.reporters.reportRetrying?.(false);
  }

  /** The processor read nothing new: it is at the readable head. */
  reportCaughtUp(): void {
    this.reporters.reportLag?.(0);
  }

  // A short batch means the processor reached the readable head; only a full one
  // (still catching up) costs the extra head query, which runs beside the next
  // batch instead of before it (a metric may lag one batch behind).
  measureLag(batchLength: number): void {
    const report = this.reporters.reportLag;
    if (!report) return;
    if (batchLength < this.definition.settings.batchSize) {
      report(0);
      return;
    }
    this.refreshLag();
  }

  /** Resolves once the head query of the lag metric (if any) has settled. */
  settle(): Promise<void> | undefined {
    return this.lagQuery;
  }

  /** Reports `head - checkpoint` once the head is read (one query in flight at most). */
  private refreshLag(): void {
    const report = this.reporters.reportLag;
    if (!report || this.lagQuery) return;
    this.lagQuery = this.storage
      .headPosition()
      .then((head) => report(Math.max(0, head - this.checkpoint)))
      .catch(() => undefined)
      .finally(() => {
        this.lagQuery = undefined;
      });
  }
}
