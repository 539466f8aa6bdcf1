/**
 * What a subscriber receives beside the event: where it sits in the global log
 * and its stream. `@EventHandler` methods are called as `handler(event, envelope)`;
 * `@EventBatchHandler` methods get `{ event, envelope }` items (`EventBatch`).
 */
export interface SubscriptionEnvelope {
  /** Global position of the event: pass it to `waitForPosition` for read-your-writes. */
  readonly position: number;
  readonly streamId: string;
  /** The event's version within its stream. */
  readonly version: number;
  readonly eventId: string;
  /** Stored type name (`@EventType`). */
  readonly type: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly recordedAt: Date;
  /** Name of the subscriber being fed. */
  readonly subscriber: string;
  /** 1 on first delivery, higher on retries (of the whole batch, for a batch handler). */
  readonly attempt: number;
}
