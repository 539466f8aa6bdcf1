/** One relayed event as a consuming service receives it. */
export interface IntegrationEvent<T = Record<string, unknown>> {
  /** The event id (`Nats-Msg-Id`): the inbox key. */
  readonly id: string;
  /** Stored event type name (`@EventType` in the publishing app). */
  readonly type: string;
  /** Stream (aggregate) id in the publishing app. */
  readonly streamId: string;
  /** Version of the event within its stream. */
  readonly version: number;
  /** Global position in the publishing app's log. */
  readonly position: number;
  readonly recordedAt: Date;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The event's JSON payload. */
  readonly data: T;
  readonly subject: string;
  /** Sequence of the message in the JetStream stream. */
  readonly sequence: number;
  /** 1 on first delivery, higher on redeliveries. */
  readonly deliveryCount: number;
}
