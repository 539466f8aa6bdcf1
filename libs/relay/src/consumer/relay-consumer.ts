import { isTransientError } from '@cello/event-sourcing';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  nanos,
  type ConsumerMessages,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { loadOptionalPeer } from '@cello/core/internal';
import type { Pool, PoolClient } from 'pg';
import { RELAY_HEADERS } from '../relay-headers';
import { createInboxTables, inboxTables, type InboxTables } from './inbox-tables';
import { getIntegrationEventHandlerBindings } from './integration-event-handler.decorator';
import type { IntegrationEvent } from './integration-event';
import { RELAY_CONSUMER_OPTIONS } from './relay-consumer.constants';
import type { RelayConsumerModuleOptions } from './relay-consumer-module-options';

type Handler = (event: IntegrationEvent, tx: PoolClient) => unknown;

const decoder = new TextDecoder();

/**
 * Feeds the `@IntegrationEventHandler` methods from a durable JetStream pull
 * consumer, one message at a time (`max_ack_pending: 1`, so stream order holds):
 * each message is recorded in the inbox and handled in one transaction, and
 * acked after the commit; a redelivered message finds its inbox row and is only
 * acked. A message that keeps failing is parked, then terminated.
 */
@Injectable()
export class RelayConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RelayConsumer');
  private readonly handlers = new Map<string, Handler[]>();
  private readonly failures = new Map<string, number>();
  private readonly tables: InboxTables;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private running?: Promise<void>;
  private stopped = true;
  private nc?: NatsConnection;
  private messages?: ConsumerMessages;

  constructor(
    @Inject(RELAY_CONSUMER_OPTIONS) private readonly options: RelayConsumerModuleOptions,
    private readonly discovery: DiscoveryService,
  ) {
    this.tables = inboxTables(options.tablePrefix ?? 'cello_');
    this.ownsPool = typeof options.database === 'string';
    // pg is loaded here, not at import: an app with only the relay side does not need it.
    this.pool =
      typeof options.database === 'string'
        ? new (loadOptionalPeer<typeof import('pg')>('pg', 'RelayConsumerModule', require).Pool)({
            connectionString: options.database,
            max: 2,
          })
        : options.database;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.discoverHandlers();
    await createInboxTables(this.pool, this.tables);
    if (this.options.autoStart ?? true) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    if (this.ownsPool) await this.pool.end();
  }

  /** Starts consuming (done at boot unless `autoStart: false`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.run();
  }

  /** Stops after the message in hand, and closes the NATS connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.nc?.close().catch(() => undefined);
    await this.running;
    this.running = undefined;
  }

  private discoverHandlers(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      for (const binding of getIntegrationEventHandlerBindings(instance.constructor)) {
        const method = (instance as Record<string | symbol, unknown>)[binding.methodName];
        if (typeof method !== 'function') continue;
        for (const type of binding.types) {
          const list = this.handlers.get(type) ?? [];
          list.push((method as Handler).bind(instance));
          this.handlers.set(type, list);
        }
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.consume();
        failures = 0;
      } catch (error) {
        if (this.stopped) break;
        failures++;
        this.logger.warn(`consumer ${this.options.durableName}: ${describe(error)}; reconnecting`);
        await sleep(Math.min(250 * 2 ** Math.min(failures, 5), 5000));
      }
    }
  }

  private async consume(): Promise<void> {
    const nc = await connect({
      servers: this.options.servers,
      name: `cello-relay-consumer-${this.options.durableName}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    this.nc = nc;
    try {
      const stream = this.options.stream ?? 'CELLO';
      const jsm = await nc.jetstreamManager();
      try {
        await jsm.consumers.info(stream, this.options.durableName);
      } catch {
        await jsm.consumers.add(stream, {
          durable_name: this.options.durableName,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          max_ack_pending: 1,
          ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
          ...(this.options.filterSubject ? { filter_subject: this.options.filterSubject } : {}),
        });
      }
      const consumer = await nc.jetstream().consumers.get(stream, this.options.durableName);
      if (this.stopped) return;
      this.messages = await consumer.consume({ max_messages: 1 });
      for await (const message of this.messages) {
        await this.handle(message);
        if (this.stopped) break;
      }
    } finally {
      this.messages?.stop();
      this.messages = undefined;
      await nc.close().catch(() => undefined);
    }
  }

  private async handle(message: JsMsg): Promise<void> {
    const event = this.toEvent(message);
    const ackWaitMs = this.options.ackWaitMs ?? 30_000;
    // Keeps the message ours while a slow handler runs, so it is not redelivered meanwhile.
    const keepAlive = setInterval(() => message.working(), Math.max(ackWaitMs / 3, 100));
    try {
      await this.inTransaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO ${this.tables.inbox} (message_id, type, subject, stream_sequence)
           VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING`,
          [event.id, event.type, event.subject, event.sequence],
        );
        if (inserted.rowCount === 0) return; // handled before; only the ack was lost
        for (const handler of this.handlers.get(event.type) ?? []) {
          await handler(event, tx);
        }
      });
    } catch (error) {
      clearInterval(keepAlive);
      await this.failed(message, event, error);
      return;
    }
    clearInterval(keepAlive);
    this.failures.delete(event.id);
    try {
      await message.ackAck();
    } catch (error) {
      // Handled and committed: a lost ack only means a redelivery, which the inbox absorbs.
      this.logger.warn(
        `consumer ${this.options.durableName}: ack of ${event.id} failed (${describe(error)}); it will be redelivered and skipped`,
      );
    }
  }

  private async failed(message: JsMsg, event: IntegrationEvent, error: unknown): Promise<void> {
    const transient = isTransientError(error);
    const attempts = transient
      ? (this.failures.get(event.id) ?? 0)
      : (this.failures.get(event.id) ?? 0) + 1;
    this.failures.set(event.id, attempts);
    const maxAttempts = this.options.maxAttempts ?? 5;
    if (!transient && attempts >= maxAttempts) {
      try {
        await this.park(message, event, error, attempts);
        this.failures.delete(event.id);
        message.term();
        this.logger.error(
          `consumer ${this.options.durableName}: parked ${event.type} ${event.id} after ${attempts} attempts: ${describe(error)}`,
        );
        return;
      } catch (parkError) {
        error = parkError;
      }
    }
    const first = this.options.retryDelayMs ?? 100;
    const cap = this.options.maxRetryDelayMs ?? 5000;
    const delay = Math.min(first * 2 ** Math.max(attempts - 1, 0), cap);
    this.logger.warn(
      `consumer ${this.options.durableName}: ${event.type} ${event.id} failed (${describe(error)}); again in ${delay} ms`,
    );
    message.nak(delay);
  }

  private async park(
    message: JsMsg,
    event: IntegrationEvent,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const headers: Record<string, string[]> = {};
    for (const [key, values] of message.headers ?? []) headers[key] = values;
    await this.inTransaction(async (tx) => {
      await tx.query(
        `INSERT INTO ${this.tables.parked}
           (message_id, type, subject, stream_sequence, headers, payload, error, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING`,
        [
          event.id,
          event.type,
          event.subject,
          event.sequence,
          JSON.stringify(headers),
          decoder.decode(message.data),
          describe(error),
          attempts,
        ],
      );
      await tx.query(
        `INSERT INTO ${this.tables.inbox} (message_id, type, subject, stream_sequence)
         VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING`,
        [event.id, event.type, event.subject, event.sequence],
      );
    });
  }

  private toEvent(message: JsMsg): IntegrationEvent {
    const header = (name: string) => message.headers?.get(name) || undefined;
    const subject = message.subject;
    let data: Record<string, unknown>;
    let metadata: Record<string, unknown>;
    const raw = decoder.decode(message.data);
    // A payload that is not JSON is handed over as text; the handler decides.
    try {
      data = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      data = { raw };
    }
    try {
      metadata = JSON.parse(header(RELAY_HEADERS.metadata) ?? '{}') as Record<string, unknown>;
    } catch {
      metadata = {};
    }
    return {
      id: header(RELAY_HEADERS.messageId) ?? `${message.info.stream}:${message.seq}`,
      type: header(RELAY_HEADERS.eventType) ?? subject.slice(subject.lastIndexOf('.') + 1),
      streamId: header(RELAY_HEADERS.streamId) ?? '',
      version: Number(header(RELAY_HEADERS.version) ?? 0),
      position: Number(header(RELAY_HEADERS.position) ?? 0),
      recordedAt: new Date(header(RELAY_HEADERS.recordedAt) ?? message.info.timestampNanos / 1e6),
      metadata,
      data,
      subject,
      sequence: message.seq,
      deliveryCount: message.info.deliveryCount,
    };
  }

  private async inTransaction(work: (tx: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
