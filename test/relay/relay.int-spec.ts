import { Module, type INestApplicationContext } from '@nestjs/common';
import { Registry } from 'prom-client';
import { CelloMetricsModule } from '@cello/core';
import { NestFactory } from '@nestjs/core';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from 'nats';
import type { Client } from 'pg';
import {
  EventSourcingModule,
  EventStore,
  SubscriptionManager,
  type EventBatch,
} from '@cello/event-sourcing';
import {
  DEFAULT_RELAY_NAME,
  InvalidRelayOptionError,
  RelayConsumerModule,
  RelayModule,
  RelayPublisher,
} from '@cello/relay';
import { waitUntil } from '../support/eventually';
import {
  connectToTestDatabase,
  createTestDatabase,
  usePostgresDatabase,
  type TestDatabase,
} from '../support/postgres-database';
import { natsUrl, startPrivateNats, uniqueRelayNames, type PrivateNats } from './support/nats';
import { EFFECTS_TABLE, ParcelEffects, startParcelConsumer } from './support/parcel-consumer';
import { deliveryReport } from './support/relay-checks';
import { ParcelScanned, ParcelWeighed } from './support/relay-fixtures';

async function startRelayApp(
  databaseUrl: string,
  names: { stream: string; prefix: string },
): Promise<INestApplicationContext> {
  @Module({
    imports: [
      EventSourcingModule.forRoot({
        storage: databaseUrl,
        events: [ParcelScanned, ParcelWeighed],
        subscriptions: { pollIntervalMs: 100 },
      }),
      RelayModule.forRoot({
        servers: natsUrl(),
        stream: names.stream,
        subjectPrefix: names.prefix,
        events: [ParcelScanned],
        batchSize: 25,
      }),
    ],
  })
  class RelayAppModule {}
  const app = await NestFactory.createApplicationContext(RelayAppModule, { logger: ['error'] });
  await app.init();
  return app;
}

describe('the relay and its consumer, on a real nats-server and PostgreSQL', () => {
  const db = usePostgresDatabase();
  let consumerDb: TestDatabase;
  let consumerClient: Client;
  let nc: NatsConnection;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    consumerDb = await createTestDatabase('relay-consumer');
    consumerClient = await connectToTestDatabase(consumerDb.url);
    await consumerClient.query(EFFECTS_TABLE);
    nc = await connect({ servers: natsUrl() });
  });

  afterEach(async () => {
    ParcelEffects.failing.clear();
    for (const app of apps.splice(0)) await app.close();
    await consumerClient.query('TRUNCATE parcel_effects');
    await consumerClient.query('DROP TABLE IF EXISTS cello_inbox, cello_inbox_parked');
  });

  afterAll(async () => {
    await nc?.close();
    await consumerClient?.end();
    await consumerDb?.drop();
  });

  it('should publish the given event types to <prefix>.<EventType> with the event id as Nats-Msg-Id, and the consumer should handle each once in stream order', async () => {
    // Given: a relay of ParcelScanned (not ParcelWeighed) and a consuming service
    const names = uniqueRelayNames('basic');
    const relayApp = await startRelayApp(db.url, names);
    apps.push(relayApp);
    const store = relayApp.get(EventStore);
    apps.push(
      await startParcelConsumer({
        servers: natsUrl(),
        stream: names.stream,
        durableName: 'parcels',
        database: consumerDb.url,
      }),
    );

    // When: three parcels are scanned 20 times each (and one is weighed)
    for (let n = 1; n <= 20; n++) {
      for (const parcel of ['a', 'b', 'c']) await store.append(new ParcelScanned(parcel, n));
    }
    await store.append(new ParcelWeighed('a'));

    // Then: the consumer handled the 60 scans once each, each parcel in order
    await waitUntil(
      'the consumer handled 60 events',
      async () => {
        return (await deliveryReport(consumerClient)).handled >= 60;
      },
      60_000,
    );
    const report = await deliveryReport(consumerClient);
    expect(report).toEqual({ handled: 60, duplicated: [], outOfOrder: [], inbox: 60 });

    // and JetStream holds exactly those, on ParcelScanned's subject, with the headers
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(names.stream);
    expect(info.state.messages).toBe(60);
    expect(info.config.subjects).toEqual([`${names.prefix}.>`]);
    const first = await jsm.streams.getMessage(names.stream, { seq: 1 });
    const [firstEvent] = await store.readStream('parcel-a');
    expect(first.subject).toBe(`${names.prefix}.ParcelScanned`);
    expect(first.header.get('Nats-Msg-Id')).toBe(firstEvent.eventId);
    expect(first.header.get('Cello-Stream-Id')).toBe('parcel-a');
    expect(first.header.get('Cello-Stream-Version')).toBe('1');
    expect(first.json<{ parcel: string; n: number }>()).toMatchObject({ parcel: 'a', n: 1 });

    // and the relay's checkpoint reached the head: lag 0 in its subscriber status
    const manager = relayApp.get(SubscriptionManager);
    await waitUntil(
      'the relay has no lag',
      async () => {
        const status = (await manager.status()).find((s) => s.name === DEFAULT_RELAY_NAME);
        return status?.lag === 0;
      },
      30_000,
    );
  }, 90_000);

  it('should have JetStream drop a re-send of an already published batch (the duplicate window)', async () => {
    // Given: a batch the relay published
    const names = uniqueRelayNames('dup');
    const relayApp = await startRelayApp(db.url, names);
    apps.push(relayApp);
    await relayApp.get(SubscriptionManager).stop();
    const publisher = relayApp.get(RelayPublisher);
    const batch: EventBatch = [1, 2, 3].map((n) => {
      const event = new ParcelScanned('dup', n);
      return {
        event,
        envelope: {
          position: n,
          streamId: event.streamId,
          version: n,
          eventId: event.eventId,
          type: 'ParcelScanned',
          metadata: {},
          recordedAt: new Date(),
          subscriber: DEFAULT_RELAY_NAME,
          attempt: 1,
        },
      };
    });
    const first = await publisher.publish(batch);
    expect(first.map((ack) => ack.duplicate)).toEqual([false, false, false]);

    // When: it is sent again, as after a crash before the checkpoint moved
    const again = await publisher.publish(batch);

    // Then: every message is acked as a duplicate and the stream holds each once
    expect(again.map((ack) => ack.duplicate)).toEqual([true, true, true]);
    const info = await (await nc.jetstreamManager()).streams.info(names.stream);
    expect(info.state.messages).toBe(3);
    expect(info.config.duplicate_window).toBe(nanos(120_000));
  }, 60_000);

  it('should handle a message stored twice (a re-send after the duplicate window) only once, through the inbox', async () => {
    // Given: a stream whose duplicate window is short, and one event published twice past it
    const names = uniqueRelayNames('inbox');
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({
      name: names.stream,
      subjects: [`${names.prefix}.>`],
      duplicate_window: nanos(100),
    });
    const js = nc.jetstream();
    const payload = JSON.stringify({ parcel: 'twice', n: 1 });
    const publishOnce = async () => {
      const h = natsHeaders();
      h.set('Cello-Event-Type', 'ParcelScanned');
      h.set('Cello-Stream-Id', 'parcel-twice');
      h.set('Cello-Stream-Version', '1');
      return js.publish(`${names.prefix}.ParcelScanned`, new TextEncoder().encode(payload), {
        msgID: 'event-twice',
        headers: h,
      });
    };
    await publishOnce();
    await waitUntil(
      'the duplicate window passed',
      async () => {
        const ack = await publishOnce();
        return !ack.duplicate;
      },
      30_000,
    );
    expect((await jsm.streams.info(names.stream)).state.messages).toBe(2);

    // When: the consumer reads the stream
    apps.push(
      await startParcelConsumer({
        servers: natsUrl(),
        stream: names.stream,
        durableName: 'parcels',
        database: consumerDb.url,
      }),
    );

    // Then: both messages were consumed (acked), the handler ran once
    await waitUntil(
      'both messages are acked',
      async () => {
        const consumer = await jsm.consumers.info(names.stream, 'parcels').catch(() => null);
        return consumer?.ack_floor.stream_seq === 2;
      },
      30_000,
    );
    expect(await deliveryReport(consumerClient)).toEqual({
      handled: 1,
      duplicated: [],
      outOfOrder: [],
      inbox: 1,
    });
  }, 60_000);

  it('should park a message whose handler keeps failing after maxAttempts, and go on with the next', async () => {
    // Given: a consumer whose handler fails for parcel "bad", with 3 attempts
    const names = uniqueRelayNames('poison');
    const relayApp = await startRelayApp(db.url, names);
    apps.push(relayApp);
    const store = relayApp.get(EventStore);
    ParcelEffects.failing.add('bad');
    apps.push(
      await startParcelConsumer({
        servers: natsUrl(),
        stream: names.stream,
        durableName: 'parcels',
        database: consumerDb.url,
        maxAttempts: 3,
        retryDelayMs: 20,
      }),
    );

    // When: a good event, the bad one, and another good one are relayed
    await store.append(new ParcelScanned('good', 1));
    await store.append(new ParcelScanned('bad', 1));
    await store.append(new ParcelScanned('good', 2));

    // Then: the bad one is parked with its error and attempts, the good ones are handled in order
    await waitUntil(
      'the good events are handled',
      async () => {
        return (await deliveryReport(consumerClient)).handled === 2;
      },
      30_000,
    );
    const { rows } = await consumerClient.query<{ type: string; error: string; attempts: number }>(
      'SELECT type, error, attempts FROM cello_inbox_parked',
    );
    expect(rows).toEqual([
      { type: 'ParcelScanned', error: 'parcel bad cannot be handled', attempts: 3 },
    ]);
    const report = await deliveryReport(consumerClient);
    expect(report.outOfOrder).toEqual([]);
    expect(report.inbox).toBe(3);
  }, 60_000);

  it('should retry without limit while NATS is away, show the lag and the retrying in the metrics, and publish everything once it is back (forRootAsync)', async () => {
    // Given: a relay configured through forRootAsync, with metrics, whose NATS server is down
    const server: PrivateNats = await startPrivateNats();
    try {
      await server.stop();
      const names = uniqueRelayNames('away');
      const registry = new Registry();
      @Module({
        imports: [
          CelloMetricsModule.forRoot({ registry }),
          EventSourcingModule.forRoot({
            storage: db.url,
            events: [ParcelScanned, ParcelWeighed],
            subscriptions: { pollIntervalMs: 100 },
          }),
          RelayModule.forRootAsync({
            events: [ParcelScanned],
            name: 'relay-away',
            retryDelayMs: 20,
            maxRetryDelayMs: 200,
            startFrom: 'end',
            useFactory: async () => ({
              servers: server.url,
              stream: names.stream,
              subjectPrefix: names.prefix,
            }),
          }),
        ],
      })
      class AwayModule {}
      const app = await NestFactory.createApplicationContext(AwayModule, { logger: false });
      apps.push(app);
      await app.init();
      const store = app.get(EventStore);
      const manager = app.get(SubscriptionManager);

      // When: events are appended while NATS is away
      for (let n = 1; n <= 5; n++) await store.append(new ParcelScanned('away', n));

      // Then: the relay retries (never parks), its checkpoint stands still, its lag shows
      await waitUntil(
        'the relay is retrying, with its lag in the metrics',
        async () => {
          const text = await registry.metrics();
          return (
            /cello_projection_retrying\{projection="relay-away"\} 1/.test(text) &&
            /cello_projection_lag_events\{projection="relay-away"\} [1-9]/.test(text)
          );
        },
        30_000,
      );
      const retrying = (await manager.status()).find((s) => s.name === 'relay-away')!;
      expect(retrying.lag).toBeGreaterThan(0);
      expect(retrying.retrying?.attempts).toBeGreaterThan(0);
      expect(await manager.listParked('relay-away')).toEqual([]);

      // When: NATS comes back
      await server.start();

      // Then: every event is published once, in order, and the lag drops to 0
      await waitUntil(
        'the relay caught up',
        async () =>
          /cello_projection_lag_events\{projection="relay-away"\} 0/.test(await registry.metrics()),
        30_000,
      );
      const probe = await connect({ servers: server.url });
      try {
        const jsm = await probe.jetstreamManager();
        expect((await jsm.streams.info(names.stream)).state.messages).toBe(5);
        const ns: number[] = [];
        for (let seq = 1; seq <= 5; seq++) {
          ns.push((await jsm.streams.getMessage(names.stream, { seq })).json<{ n: number }>().n);
        }
        expect(ns).toEqual([1, 2, 3, 4, 5]);
      } finally {
        await probe.close();
      }

      // and the application still shuts down promptly once NATS is gone for good
      await server.stop();
      apps.splice(apps.indexOf(app), 1);
      const closing = app.close().then(() => 'closed');
      let bound: NodeJS.Timeout | undefined;
      const hung = new Promise<string>((resolve) => {
        bound = setTimeout(() => resolve('still closing after 15 s'), 15_000);
      });
      expect(await Promise.race([closing, hung])).toBe('closed');
      clearTimeout(bound);
    } finally {
      await server.dispose();
    }
  }, 90_000);

  it('should refuse bad options with InvalidRelayOptionError naming the option', () => {
    const bad = [
      () => RelayModule.forRoot({ servers: 'nats://x', events: [] }),
      () => RelayModule.forRoot({ servers: [], events: [ParcelScanned] }),
      () =>
        RelayModule.forRoot({ servers: 'nats://x', events: [ParcelScanned], subjectPrefix: 'a b' }),
      () => RelayModule.forRoot({ servers: 'nats://x', events: [ParcelScanned], stream: 'a.b' }),
      () =>
        RelayConsumerModule.forRoot({
          servers: 'nats://x',
          durableName: '',
          database: 'postgresql://x',
        }),
      () =>
        RelayConsumerModule.forRoot({
          servers: 'nats://x',
          durableName: 'd',
          database: 'postgresql://x',
          maxAttempts: 0,
        }),
    ];
    const options = bad.map((make) => {
      try {
        make();
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidRelayOptionError);
        expect((error as InvalidRelayOptionError).code).toBe('invalid-relay-option');
        return (error as InvalidRelayOptionError).option;
      }
    });
    expect(options).toEqual([
      'events',
      'servers',
      'subjectPrefix',
      'stream',
      'durableName',
      'maxAttempts',
    ]);
  });
});
