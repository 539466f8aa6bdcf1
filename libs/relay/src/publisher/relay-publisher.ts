import { TransientError, type EventBatch } from '@cello/event-sourcing';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  connect,
  headers as natsHeaders,
  nanos,
  type JetStreamClient,
  type NatsConnection,
  type PubAck,
} from 'nats';
import { RELAY_HEADERS } from '../relay-headers';
import { RELAY_CONNECTION_OPTIONS } from './relay.constants';
import type { RelayConnectionOptions } from './relay-module-options';

const encoder = new TextEncoder();

/**
 * Publishes batches of committed events to JetStream, one subject per event
 * type. The connection is opened on first use (and again after it closed), so an
 * application boots while NATS is down; every NATS failure is thrown as a
 * `TransientError`, which the relay's subscriber retries with backoff, without limit.
 */
@Injectable()
export class RelayPublisher implements OnApplicationShutdown {
  private connecting?: Promise<{ nc: NatsConnection; js: JetStreamClient }>;
  private readonly prefix: string;
  private readonly stream: string;

  constructor(@Inject(RELAY_CONNECTION_OPTIONS) private readonly options: RelayConnectionOptions) {
    this.prefix = options.subjectPrefix ?? 'cello';
    this.stream = options.stream ?? 'CELLO';
  }

  /** The subject an event type is published to. */
  subjectOf(eventType: string): string {
    return `${this.prefix}.${eventType}`;
  }

  /**
   * Publishes the batch in order without waiting between messages, then waits for
   * every ack: resolving means JetStream stored (or had already stored) them all.
   * Each message but the first expects the one before it as the stream's last
   * message (`Nats-Expected-Last-Msg-Id`), so a message lost in a reconnect makes
   * the ones after it fail instead of landing ahead of it; the retry re-sends the
   * batch and the duplicate window drops what was stored already.
   */
  async publish(batch: EventBatch): Promise<PubAck[]> {
    const { js } = await this.connection();
    const timeout = this.options.publishTimeoutMs ?? 5000;
    const pending: Promise<PubAck>[] = [];
    let previousId: string | undefined;
    for (const { event, envelope } of batch) {
      const headers = natsHeaders();
      headers.set(RELAY_HEADERS.eventType, envelope.type);
      headers.set(RELAY_HEADERS.streamId, envelope.streamId);
      headers.set(RELAY_HEADERS.version, String(envelope.version));
      headers.set(RELAY_HEADERS.position, String(envelope.position));
      headers.set(RELAY_HEADERS.recordedAt, envelope.recordedAt.toISOString());
      headers.set(RELAY_HEADERS.metadata, JSON.stringify(envelope.metadata ?? {}));
      pending.push(
        js.publish(this.subjectOf(envelope.type), encoder.encode(JSON.stringify(event)), {
          msgID: envelope.eventId,
          headers,
          timeout,
          expect: previousId
            ? { lastMsgID: previousId, streamName: this.stream }
            : { streamName: this.stream },
        }),
      );
      previousId = envelope.eventId;
    }
    const settled = await Promise.allSettled(pending);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) {
      const cause = (failed as PromiseRejectedResult).reason as unknown;
      throw new TransientError(
        `relay: JetStream did not ack every event of the batch (${describe(cause)}); retrying`,
        { cause },
      );
    }
    return settled.map((result) => (result as PromiseFulfilledResult<PubAck>).value);
  }

  async onApplicationShutdown(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (!connecting) return;
    try {
      // close, not drain: drain waits for a server that may be gone for good, and what is
      // in flight needs no flush (the checkpoint has not moved past it; it is sent again).
      const { nc } = await connecting;
      await nc.close();
    } catch {
      // Never connected, or already closed.
    }
  }

  private connection(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    if (!this.connecting) {
      const attempt = this.open();
      this.connecting = attempt;
      attempt.then(
        ({ nc }) =>
          void nc.closed().then(() => {
            if (this.connecting === attempt) this.connecting = undefined;
          }),
        () => {
          if (this.connecting === attempt) this.connecting = undefined;
        },
      );
    }
    return this.connecting.catch((cause: unknown) => {
      throw new TransientError(`relay: cannot connect to NATS (${describe(cause)})`, { cause });
    });
  }

  private async open(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    const nc = await connect({
      servers: this.options.servers,
      name: this.options.connectionName ?? 'cello-relay',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    try {
      if (this.options.createStream ?? true) await this.ensureStream(nc);
    } catch (error) {
      await nc.close();
      throw error;
    }
    return { nc, js: nc.jetstream() };
  }

  private async ensureStream(nc: NatsConnection): Promise<void> {
    const jsm = await nc.jetstreamManager();
    const config = {
      name: this.stream,
      subjects: [`${this.prefix}.>`],
      duplicate_window: nanos(this.options.duplicateWindowMs ?? 120_000),
    };
    try {
      await jsm.streams.info(this.stream);
    } catch {
      try {
        await jsm.streams.add(config);
        return;
      } catch {
        // Created meanwhile by another instance: update it below.
      }
    }
    await jsm.streams.update(this.stream, config);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
